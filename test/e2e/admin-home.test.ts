// Home and Privacy as a merchant sees them: the production build inside the local admin frame
// (dev/simulator/admin-frame), in Chromium, with an accessibility scan of each page.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../../dev/simulator/browser";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { expectNoSeriousViolations } from "../support/axe";
import { startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-home-key";
const API_SECRET = "admin-home-secret";
const SHOP = "admin-home.myshopify.com";

describe("Home and Privacy in the local admin", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    for (const [i, price] of ["120.00", "35.00", "9.99"].entries()) {
      await admin.deliver("orders/paid", orderPayload({ id: 8_100_001 + i, customer: { id: 8_200_001 + (i % 2), firstName: "Ada" }, lines: [{ price }] }));
    }
    await admin.deliver("customers/data_request", { shop_id: 1, shop_domain: SHOP, orders_requested: [], customer: { id: 8_200_001, email: "ada@example.com", phone: null }, data_request: { id: 77 } });
  });

  afterAll(() => admin?.stop());

  it("Home: figures, the checklist, the period switch and the program switch", async () => {
    const { page, app: frame } = await admin.open("/app");
    page.setDefaultTimeout(15_000);
    await page.locator("#title-bar-title", { hasText: "Home" }).waitFor();
    await frame.getByRole("heading", { name: "Set up Tally" }).waitFor();
    expect(await frame.getByText("0 of 3 steps done").count()).toBe(1);
    const text = await frame.locator("body").innerText();
    expect(text).toMatch(/Members\s+2\b/);
    expect(text).toMatch(/Points issued\s+164\b/);
    expect(text).toMatch(/Outstanding liability\s+\$1\.64/);
    expect(text).toContain("Customers earn 1 point for every $1.00 spent on products after discounts.");

    // The checklist: "Looks good" ticks the earning rate off, and it stays ticked after a reload.
    const earningStep = frame.locator('li[data-step="earning_rate"]');
    await earningStep.getByRole("button", { name: "Looks good" }).click();
    await frame.locator('li[data-step="earning_rate"][data-done="true"]').waitFor();
    await frame.getByText("1 of 3 steps done").waitFor();
    const embedLink = frame.locator('li[data-step="app_embed"]').getByRole("link", { name: "Open theme editor" });
    expect(await embedLink.getAttribute("href")).toBe(`https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/launcher`);
    expect(await admin.db.setupStep.count({ where: { shopDomain: SHOP } })).toBe(1);

    // The period switch: the figures are read again for the last 12 months.
    await frame.getByLabel("Period").selectOption("12m");
    await frame.waitForURL(/period=12m/);
    // Twelve months of two bars each, once the new figures have arrived.
    await frame.waitForFunction(() => document.querySelectorAll("svg[role=img] rect").length === 24);
    await frame.getByRole("img", { name: "Points issued and redeemed" }).waitFor();
    await page.screenshot({ path: screenshotPath("admin-home"), fullPage: true });
    await expectNoSeriousViolations(page, "Home");

    // The program switch: off, with the admin's toast; the shop's program says so.
    await frame.getByRole("button", { name: "Turn off" }).click();
    await page.getByRole("status").getByText("Program turned off").waitFor();
    await frame.getByRole("button", { name: "Turn on" }).waitFor();
    const program = JSON.parse((await admin.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program) as { enabled: boolean };
    expect(program.enabled).toBe(false);
    await frame.getByRole("button", { name: "Turn on" }).click();
    await page.getByRole("status").getByText("Program turned on").waitFor();
    await page.close();
  }, 120_000);

  it("Privacy: reached from the admin's navigation; a request is shown and downloaded as JSON", async () => {
    const { page, app: frame } = await admin.open("/app");
    page.setDefaultTimeout(15_000);
    await page.getByRole("navigation", { name: "Apps" }).getByRole("link", { name: "Privacy" }).click();
    await page.locator("#title-bar-title", { hasText: "Privacy" }).waitFor();
    await frame.getByRole("link", { name: "View the request of customer 8200001" }).click();
    await frame.getByRole("heading", { name: "Data request of customer 8200001" }).waitFor();
    expect(page.url()).toMatch(/\/store\/admin-home\/apps\/tally\/app\/privacy\/\d+$/);
    await expectNoSeriousViolations(page, "Privacy request");
    await page.screenshot({ path: screenshotPath("admin-privacy"), fullPage: true });

    const downloading = page.waitForEvent("download");
    await frame.getByRole("button", { name: "Download JSON" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^tally-data-request-\d+-customer-8200001\.json$/);
    const stored = await admin.db.dataRequest.findFirstOrThrow({ where: { shopDomain: SHOP } });
    expect(readFileSync((await download.path())!, "utf8")).toBe(stored.data);
    await page.getByRole("status").getByText("Download started").waitFor();
    await page.close();
  }, 120_000);

  it("speaks the merchant's language from the admin's locale", async () => {
    const { page, app: frame } = await admin.open("/app", { locale: "de" });
    const nav = page.getByRole("navigation", { name: "Apps" });
    await nav.getByRole("link", { name: "Datenschutz" }).waitFor();
    await frame.getByRole("heading", { name: "Tally einrichten" }).waitFor();
    await expectNoSeriousViolations(page, "Home (de)");
    await page.close();
  }, 120_000);

  it("audits balances and shows the last reconciliation, in the merchant's language", async () => {
    // The server's own daily reconciliation of this shop (it has a session; Shopify is out of
    // reach here, so its attempts fail and retry) must not record a newer run than this one: its
    // job goes, an attempt under way ends, and a run finished now is not due for a day.
    await admin.db.job.deleteMany({ where: { key: `reconcile:${SHOP}` } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const until = new Date();
    await admin.db.reconcileRun.create({
      data: { shopDomain: SHOP, trigger: "job", status: "done", since: new Date(until.getTime() - 2 * 86_400_000), until, ordersSeen: 1_250, ordersRepaired: 3, pointsRepaired: 142n, finishedAt: until },
    });
    const { page, app: frame } = await admin.open("/app", { locale: "de" });
    await frame.getByText(/1\.250 zwischen .* geänderte Bestellungen geprüft; 3 korrigiert \(\+142 Punkte\)\. Beendet/).waitFor();
    await frame.getByRole("button", { name: "Salden prüfen" }).click();
    await frame.getByText("Alle Salden stimmen").waitFor();

    // A balance changed behind the app's back: the same audit names it.
    const member = await admin.db.member.findFirstOrThrow({ where: { shopDomain: SHOP } });
    await admin.db.member.update({ where: { id: member.id }, data: { balance: { increment: 7 } } });
    await frame.getByRole("button", { name: "Salden prüfen" }).click();
    await frame.getByText("Abweichungen gefunden").waitFor();
    await expectNoSeriousViolations(page, "Home audit (de)");
    await page.screenshot({ path: screenshotPath("admin-home-audit-de"), fullPage: true });
    await admin.db.member.update({ where: { id: member.id }, data: { balance: { decrement: 7 } } });
    await page.close();
  }, 120_000);
});
