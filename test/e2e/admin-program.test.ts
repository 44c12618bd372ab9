// The Program settings pages in Chromium, inside the local admin frame, served by the production
// build: the earning rate with its live example, inline field errors from the server, the save
// bar, a reward created and edited; axe finds no serious or critical violation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../../dev/simulator/browser";
import { frameSeriousViolations as seriousViolations } from "../support/axe";
import { createEuroShop, startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-program-key";
const API_SECRET = "admin-program-secret";
const SHOP = "admin-program-e2e.myshopify.com";

// axe-core (what @axe-core/playwright runs), injected into the app's frame: the admin frame's
// page is not one of a browser context's, which AxeBuilder requires.
describe("Program settings in the admin (Chromium)", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, seed: (db) => createEuroShop(db, SHOP, [{ title: "5.00 off your order", kind: "fixed_amount", costPoints: 500, amountMinor: 500 }]) });
  }, 120_000);

  afterAll(() => admin?.stop());

  it("edits the earning rate with a live example, shows the server's field errors inline, then saves", async () => {
    const { page, app: frame } = await admin.open("/app/program");
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
    expect(JSON.parse((await admin.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program).earning).toEqual({ points: 1, perMajorUnits: 1 });
    expect(await seriousViolations(frame)).toEqual([]);

    await frame.getByLabel("Days before earned points can be spent").fill("0");
    await frame.getByLabel("Accent colour").fill("#0A7E3B");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Saved", { exact: true }).waitFor();
    const stored = JSON.parse((await admin.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program);
    expect(stored).toMatchObject({ earning: { points: 3, perMajorUnits: 2 }, appearance: { accentColor: "#0a7e3b" } });
    // The form starts again from what is stored; the version history names the save.
    await expect.poll(() => frame.getByLabel("Accent colour").inputValue()).toBe("#0a7e3b");
    await frame.getByText(/Version 2, .*: program settings/).waitFor();
    await page.screenshot({ path: screenshotPath("admin-program-saved"), fullPage: true });
    await page.close();
  });

  it("creates a reward after an inline error, edits another, and turns it off", async () => {
    const { page, app: frame } = await admin.open("/app/program/rewards/new");
    await frame.getByLabel("Title").fill("Free tote");
    await frame.getByLabel("Points").fill("750");
    await frame.getByLabel("Amount (EUR)").fill("7.505");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("At most 2 decimals in this currency.").waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-reward-field-error"), fullPage: true });
    expect(await admin.db.reward.count({ where: { shopDomain: SHOP } })).toBe(1);

    await frame.getByLabel("Amount (EUR)").fill("7.50");
    await frame.getByLabel("Minimum order subtotal (EUR)").fill("30");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByRole("heading", { name: "Rewards", level: 1 }).waitFor();
    await frame.getByText("Free tote").waitFor();
    expect(await admin.db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, title: "Free tote" } })).toMatchObject({ costPoints: 750, amountMinor: 750, minimumSubtotalMinor: 3000 });

    await frame.getByRole("link", { name: "Edit 5.00 off your order" }).click();
    await frame.getByLabel("Points").fill("450");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Fixed amount off the order · 450 points").or(frame.getByText(/Amount off the order · 450 points/)).waitFor();
    await frame.getByRole("button", { name: "Turn off 5.00 off your order" }).click();
    await frame.getByRole("button", { name: "Turn on 5.00 off your order" }).waitFor();
    expect(await admin.db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, title: "5.00 off your order" } })).toMatchObject({ costPoints: 450, enabled: false });
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-rewards-list"), fullPage: true });
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await admin.open("/app/program", { locale: "de" });
    await frame.getByRole("heading", { name: "Programmeinstellungen", level: 1 }).waitFor();
    await expect.poll(() => frame.locator("#earning-example").innerText()).toMatch(/^Eine Bestellung über 57,60\s€ bringt 86 Punkte\.$/);
    await page.close();
  });
});
