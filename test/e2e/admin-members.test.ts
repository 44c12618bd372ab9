// Members and the points import as a merchant sees them: the production build inside the local
// admin frame (dev/simulator/admin-frame), in Chromium: search a member, open them, adjust
// their points (a field error first), export the members as CSV, dry-run and run an import,
// with an accessibility scan of each page.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../../dev/simulator/browser";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { expectNoSeriousViolations } from "../support/axe";
import { startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-members-key";
const API_SECRET = "admin-members-secret";
const SHOP = "admin-members.myshopify.com";

describe("Members and import in the local admin", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const people = [
      { id: 8_300_001, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", price: "120.00" },
      { id: 8_300_002, email: "elodie@example.fr", firstName: "Élodie", lastName: "Dupont", price: "45.00" },
      { id: 8_300_003, email: "grace@example.com", firstName: "Grace", lastName: "Hopper", price: "80.00" },
    ];
    for (const [i, person] of people.entries()) {
      await admin.deliver("orders/paid", orderPayload({ id: 8_400_001 + i, customer: { id: person.id, email: person.email, firstName: person.firstName, lastName: person.lastName }, lines: [{ price: person.price }] }));
    }
  });

  afterAll(() => admin?.stop());

  it("searches a member, opens them and adjusts their points", async () => {
    const { page, app: frame } = await admin.open("/app/members");
    page.setDefaultTimeout(15_000);
    await page.locator("#title-bar-title", { hasText: "Members" }).waitFor();
    await frame.getByRole("link", { name: "Ada Lovelace" }).waitFor();
    await expectNoSeriousViolations(page, "Members");
    await page.screenshot({ path: screenshotPath("admin-members"), fullPage: true });

    // Accents are folded: "elodie" finds Élodie, and no one else.
    await frame.getByLabel("Search members").fill("elodie");
    await frame.getByRole("button", { name: "Search" }).click();
    await frame.waitForURL(/q=elodie/);
    // Élodie is listed before and after the search: wait for Ada to leave instead of counting at once.
    await frame.getByRole("link", { name: "Ada Lovelace" }).waitFor({ state: "detached" });
    await frame.getByRole("link", { name: "Élodie Dupont" }).waitFor();
    expect(await frame.getByRole("link", { name: "Ada Lovelace" }).count()).toBe(0);
    await frame.getByRole("link", { name: "Élodie Dupont" }).click();
    await page.locator("#title-bar-title", { hasText: "Élodie Dupont" }).waitFor();
    await frame.getByText("45", { exact: true }).first().waitFor();

    // A debit larger than the balance: a field error, nothing written.
    await frame.getByLabel("Points", { exact: true }).fill("-100");
    await frame.getByLabel("Reason").fill("Too much");
    await frame.getByRole("button", { name: "Adjust points" }).click();
    await frame.getByText("This would leave the balance below zero (balance: 45).").waitFor();
    expect(await admin.db.ledgerEntry.count({ where: { kind: "manual_adjust" } })).toBe(0);

    await frame.getByLabel("Points", { exact: true }).fill("25");
    await frame.getByLabel("Reason").fill("Birthday gift");
    await frame.getByRole("button", { name: "Adjust points" }).click();
    await frame.getByText("Points adjusted. New balance: 70.").waitFor();
    await frame.getByRole("cell", { name: "Birthday gift" }).waitFor();
    await expectNoSeriousViolations(page, "Member");
    await page.screenshot({ path: screenshotPath("admin-member"), fullPage: true });
    const entry = await admin.db.ledgerEntry.findFirstOrThrow({ where: { kind: "manual_adjust" } });
    expect(entry).toMatchObject({ delta: 25n, note: "Birthday gift" });
    expect(entry.actor).toMatch(/^staff:\d+/);
    const member = await admin.db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: 8_300_002n } });
    expect(Number(member.balance)).toBe(70);
    await page.close();
  }, 120_000);

  it("exports the members as a CSV download", async () => {
    const { page, app: frame } = await admin.open("/app/members");
    page.setDefaultTimeout(15_000);
    const downloading = page.waitForEvent("download");
    await frame.getByRole("button", { name: "Export members (CSV)" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("tally-members.csv");
    const lines = readFileSync((await download.path())!, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^customer_id,email,first_name,last_name,balance/);
    expect(lines).toHaveLength(4);
    await page.close();
  }, 120_000);

  it("dry-runs and runs an import, with its progress and row errors", async () => {
    const file = path.join(tmpdir(), `tally-import-${process.pid}.csv`);
    writeFileSync(file, ["customer_id,email,points", "8300001,,300", "8300099,,50", "abc,,5", ",grace@example.com,ten"].join("\n"));
    const { page, app: frame } = await admin.open("/app/import");
    page.setDefaultTimeout(20_000);
    await page.locator("#title-bar-title", { hasText: "Import points" }).waitFor();
    await frame.getByText("No imports yet.").waitFor();
    await expectNoSeriousViolations(page, "Import");

    await frame.setInputFiles("#import-file", file);
    await frame.getByRole("button", { name: "Dry run" }).click();
    await frame.getByRole("heading", { name: "Dry run: nothing was changed" }).waitFor();
    await frame.getByText("2 customers to credit, 350 points").waitFor();
    await frame.getByText("Row 4: the customer ID is not a Shopify customer ID").waitFor();
    await frame.getByText("Row 5: the points are not a whole number").waitFor();
    expect(await admin.db.memberImport.count()).toBe(0);
    await page.screenshot({ path: screenshotPath("admin-import-dry-run"), fullPage: true });

    await frame.getByRole("button", { name: "Import", exact: true }).click();
    // The server's job runner picks the import up; the page polls until it is done.
    await frame.getByText("4 of 4 rows").waitFor();
    await frame.getByText("2 customers credited (350 points), 0 already imported, 2 rows with errors").waitFor();
    await frame.getByText("Done").waitFor();
    await expectNoSeriousViolations(page, "Import done");
    await page.screenshot({ path: screenshotPath("admin-import-done"), fullPage: true });
    expect(Number((await admin.db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: 8_300_001n } })).balance)).toBe(420);
    expect(Number((await admin.db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: 8_300_099n } })).balance)).toBe(50);
    await page.close();
  }, 120_000);
});
