// The VIP tiers page in Chromium, inside the local admin frame, served by the production build:
// a tier created with its entry perks (bonus points, a reward chosen among the shop's) after the
// server's inline field error, in English and German; axe finds no serious or critical violation.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { databaseTarget } from "~/database-url";
import { openAdmin, startAdminFrame, type RunningAdminFrame } from "../../dev/simulator/admin-frame";
import { startApp, type RunningApp } from "../../dev/simulator/app-server";
import { launchChromium, screenshotPath } from "../../dev/simulator/browser";
import { createTestDatabase, type TestDatabase } from "../../dev/simulator/databases";
import { storeOfflineSession } from "../../dev/simulator/offline-session";
import { frameSeriousViolations as seriousViolations } from "../support/axe";

const API_KEY = "admin-tiers-key";
const API_SECRET = "admin-tiers-secret";
const SHOP = "admin-tiers-e2e.myshopify.com";
describe("VIP tiers in the admin (Chromium)", () => {
  let database: TestDatabase;
  let db: Db;
  let app: RunningApp;
  let admin: RunningAdminFrame;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    db = createDb(databaseTarget(database.url));
    await storeOfflineSession(db, SHOP);
    await db.shop.create({ data: { domain: SHOP, currency: "EUR", program: JSON.stringify({ version: 1, name: "Rewards", earning: { points: 1, perMajorUnits: 1 }, pendingDays: 0, expiryDays: null }) } });
    await db.reward.create({ data: { shopDomain: SHOP, title: "Welcome gift: 10.00 off", kind: "fixed_amount", costPoints: 1000, amountMinor: 1000, enabled: false } });
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET });
    admin = await startAdminFrame({ appUrl: app.baseUrl, shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await admin?.stop();
    await app?.stop();
    await db?.$disconnect();
    await database?.drop();
  });

  it("creates a tier with an entry bonus and an entry reward after an inline error", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program/tiers");
    await frame.getByRole("button", { name: "Add tier" }).first().click();
    await frame.getByLabel("Name").fill("Gold");
    await frame.getByLabel("Threshold").fill("500");
    await frame.getByLabel("Earning multiplier (%)").fill("150");
    await frame.getByLabel("Entry bonus (points)").fill("-5");
    await frame.getByLabel("Entry reward").selectOption({ label: "Welcome gift: 10.00 off" });
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Must be at least 0.").waitFor();
    expect(await db.tier.count({ where: { shopDomain: SHOP } })).toBe(0);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-tiers-field-error"), fullPage: true });

    await frame.getByLabel("Entry bonus (points)").fill("250");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await expect.poll(async () => db.tier.count({ where: { shopDomain: SHOP } })).toBe(1);
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP } });
    expect(await db.tier.findFirstOrThrow({ where: { shopDomain: SHOP } })).toMatchObject({ name: "Gold", entryBonusPoints: 250, entryRewardId: reward.id });
    // The form shows what is stored.
    await expect.poll(() => frame.getByLabel("Entry bonus (points)").inputValue()).toBe("250");
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-tiers-saved"), fullPage: true });
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program/tiers", { locale: "de" });
    await frame.getByLabel("Aufstiegsbonus (Punkte)").waitFor();
    await frame.getByText("Beim Erreichen dieser Stufe").waitFor();
    await page.close();
  });
});
