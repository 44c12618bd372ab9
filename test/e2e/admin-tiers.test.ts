// The VIP tiers page in Chromium, inside the local admin frame, served by the production build:
// a tier created with its entry perks (bonus points, a reward chosen among the shop's) after the
// server's inline field error, in English and German; axe finds no serious or critical violation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../../dev/simulator/browser";
import { frameSeriousViolations as seriousViolations } from "../support/axe";
import { createEuroShop, startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-tiers-key";
const API_SECRET = "admin-tiers-secret";
const SHOP = "admin-tiers-e2e.myshopify.com";
describe("VIP tiers in the admin (Chromium)", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, seed: (db) => createEuroShop(db, SHOP, [{ title: "Welcome gift: 10.00 off", kind: "fixed_amount", costPoints: 1000, amountMinor: 1000, enabled: false }]) });
  }, 120_000);

  afterAll(() => admin?.stop());

  it("creates a tier with an entry bonus and an entry reward after an inline error", async () => {
    const { page, app: frame } = await admin.open("/app/program/tiers");
    await frame.getByRole("button", { name: "Add tier" }).first().click();
    await frame.getByLabel("Name").fill("Gold");
    await frame.getByLabel("Threshold").fill("500");
    await frame.getByLabel("Earning multiplier (%)").fill("150");
    await frame.getByLabel("Entry bonus (points)").fill("-5");
    await frame.getByLabel("Entry reward").selectOption({ label: "Welcome gift: 10.00 off" });
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Must be at least 0.").waitFor();
    expect(await admin.db.tier.count({ where: { shopDomain: SHOP } })).toBe(0);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-tiers-field-error"), fullPage: true });

    await frame.getByLabel("Entry bonus (points)").fill("250");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await expect.poll(async () => admin.db.tier.count({ where: { shopDomain: SHOP } })).toBe(1);
    const reward = await admin.db.reward.findFirstOrThrow({ where: { shopDomain: SHOP } });
    expect(await admin.db.tier.findFirstOrThrow({ where: { shopDomain: SHOP } })).toMatchObject({ name: "Gold", entryBonusPoints: 250, entryRewardId: reward.id });
    // The form shows what is stored.
    await expect.poll(() => frame.getByLabel("Entry bonus (points)").inputValue()).toBe("250");
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-tiers-saved"), fullPage: true });
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await admin.open("/app/program/tiers", { locale: "de" });
    await frame.getByLabel("Aufstiegsbonus (Punkte)").waitFor();
    await frame.getByText("Beim Erreichen dieser Stufe").waitFor();
    await page.close();
  });
});
