// The Program settings pages in Chromium, inside the local admin frame, served by the production
// build: the earning rate with its live example, inline field errors from the server, the save
// bar, a reward created and edited; axe finds no serious or critical violation.
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

const API_KEY = "admin-program-key";
const API_SECRET = "admin-program-secret";
const SHOP = "admin-program-e2e.myshopify.com";

// axe-core (what @axe-core/playwright runs), injected into the app's frame: the admin frame's
// page is not one of a browser context's, which AxeBuilder requires.
describe("Program settings in the admin (Chromium)", () => {
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
    await db.reward.create({ data: { shopDomain: SHOP, title: "5.00 off your order", kind: "fixed_amount", costPoints: 500, amountMinor: 500 } });
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

  it("edits the earning rate with a live example, shows the server's field errors inline, then saves", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program");
    const example = frame.locator("#earning-example");
    await expect.poll(() => example.innerText()).toBe("An order of €57.60 earns 57 points.");
    await frame.getByLabel("Points", { exact: true }).fill("3");
    await frame.getByLabel("For every (whole units of EUR)").fill("2");
    await expect.poll(() => example.innerText()).toBe("An order of €57.60 earns 86 points.");
    await frame.getByLabel("Example order").fill("0.60");
    await expect.poll(() => example.innerText()).toBe("An order of €0.60 earns 0 points.");
    await frame.getByLabel("Example order").fill("57.60");

    // The save bar appears with the first change (App Bridge's, drawn by the stand-in).
    await frame.getByRole("region", { name: "Save bar" }).waitFor();
    expect(await seriousViolations(frame)).toEqual([]);

    // Values the browser lets through, the server refuses, each beside its field.
    await frame.getByLabel("Days before earned points can be spent").fill("400");
    await frame.getByLabel("Accent colour").fill("blue");
    await frame.getByRole("region", { name: "Save bar" }).getByRole("button", { name: "Save" }).click();
    await frame.getByText("Must be at most 365.").waitFor();
    await frame.getByText("Use a colour like #1d4ed8.").waitFor();
    expect(await frame.getByText("Some fields need attention.").count()).toBe(1);
    await page.screenshot({ path: screenshotPath("admin-program-field-errors"), fullPage: true });
    expect(JSON.parse((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program).earning).toEqual({ points: 1, perMajorUnits: 1 });
    expect(await seriousViolations(frame)).toEqual([]);

    await frame.getByLabel("Days before earned points can be spent").fill("0");
    await frame.getByLabel("Accent colour").fill("#0A7E3B");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Saved", { exact: true }).waitFor();
    const stored = JSON.parse((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program);
    expect(stored).toMatchObject({ earning: { points: 3, perMajorUnits: 2 }, appearance: { accentColor: "#0a7e3b" } });
    // The form starts again from what is stored; the version history names the save.
    await expect.poll(() => frame.getByLabel("Accent colour").inputValue()).toBe("#0a7e3b");
    await frame.getByText(/Version 2, .*: program settings/).waitFor();
    await page.screenshot({ path: screenshotPath("admin-program-saved"), fullPage: true });
    await page.close();
  });

  it("creates a reward after an inline error, edits another, and turns it off", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program/rewards/new");
    await frame.getByLabel("Title").fill("Free tote");
    await frame.getByLabel("Points").fill("750");
    await frame.getByLabel("Amount (EUR)").fill("7.505");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("At most 2 decimals in this currency.").waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-reward-field-error"), fullPage: true });
    expect(await db.reward.count({ where: { shopDomain: SHOP } })).toBe(1);

    await frame.getByLabel("Amount (EUR)").fill("7.50");
    await frame.getByLabel("Minimum order subtotal (EUR)").fill("30");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByRole("heading", { name: "Rewards", level: 1 }).waitFor();
    await frame.getByText("Free tote").waitFor();
    expect(await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, title: "Free tote" } })).toMatchObject({ costPoints: 750, amountMinor: 750, minimumSubtotalMinor: 3000 });

    await frame.getByRole("link", { name: "Edit 5.00 off your order" }).click();
    await frame.getByLabel("Points").fill("450");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Fixed amount off the order · 450 points").or(frame.getByText(/Amount off the order · 450 points/)).waitFor();
    await frame.getByRole("button", { name: "Turn off 5.00 off your order" }).click();
    await frame.getByRole("button", { name: "Turn on 5.00 off your order" }).waitFor();
    expect(await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, title: "5.00 off your order" } })).toMatchObject({ costPoints: 450, enabled: false });
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-rewards-list"), fullPage: true });
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program", { locale: "de" });
    await frame.getByRole("heading", { name: "Programmeinstellungen", level: 1 }).waitFor();
    await expect.poll(() => frame.locator("#earning-example").innerText()).toMatch(/^Eine Bestellung über 57,60\s€ bringt 86 Punkte\.$/);
    await page.close();
  });
});
