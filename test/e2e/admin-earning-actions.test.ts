// The Program's "Ways to earn" pages in Chromium, inside the local admin frame, served by the
// production build: an action created after the server's inline field error, listed and linked
// from Program settings; a waiting claim approved from the queue credits the member; axe finds no
// serious or critical violation; the merchant's language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../../dev/simulator/browser";
import { frameSeriousViolations as seriousViolations } from "../support/axe";
import { createEuroShop, startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-actions-key";
const API_SECRET = "admin-actions-secret";
const SHOP = "admin-actions-e2e.myshopify.com";

describe("Ways to earn in the admin (Chromium)", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, seed: (db) => createEuroShop(db, SHOP) });
  }, 120_000);

  afterAll(() => admin?.stop());

  it("creates an action after an inline error, from the Program page's link", async () => {
    const { page, app: frame } = await admin.open("/app/program");
    await frame.getByRole("link", { name: "Ways to earn" }).or(frame.getByRole("button", { name: "Ways to earn" })).first().click();
    await frame.getByRole("heading", { name: "Ways to earn", level: 1 }).waitFor();
    await frame.getByText("No custom actions yet").waitFor();
    expect(await seriousViolations(frame)).toEqual([]);

    await frame.getByRole("link", { name: "Add action" }).first().click();
    await frame.getByRole("heading", { name: "New action", level: 1 }).waitFor();
    await frame.getByLabel("Title").fill("Follow us on Instagram");
    await frame.getByLabel("Link").fill("http://instagram.com/tally");
    await frame.getByLabel("Points", { exact: true }).fill("150");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByText("Enter an address starting with https://.").waitFor();
    expect(await frame.getByText("Some fields need attention.").count()).toBe(1);
    expect(await admin.db.earningAction.count({ where: { shopDomain: SHOP } })).toBe(0);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-action-field-error"), fullPage: true });

    await frame.getByLabel("Link").fill("https://instagram.com/tally");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByRole("heading", { name: "Ways to earn", level: 1 }).waitFor();
    await frame.getByText("Follow us on Instagram").waitFor();
    expect(await admin.db.earningAction.findFirstOrThrow({ where: { shopDomain: SHOP } })).toMatchObject({ kind: "social_follow", url: "https://instagram.com/tally", points: 150, enabled: true });
    await page.close();
  });

  it("approves a waiting claim from the queue, crediting the member", async () => {
    const action = await admin.db.earningAction.create({ data: { shopDomain: SHOP, kind: "custom", title: "Review a product", points: 250, requiresApproval: true } });
    const member = await admin.db.member.create({ data: { shopDomain: SHOP, customerId: 9_740_001n, email: "ada@example.com", referralCode: "E2EACTN1" } });
    await admin.db.actionClaim.create({ data: { shopDomain: SHOP, actionId: action.id, memberId: member.id, status: "pending_approval", points: 250 } });

    const { page, app: frame } = await admin.open("/app/program/actions");
    await frame.getByText("ada@example.com").waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-actions-queue"), fullPage: true });
    await frame.getByRole("button", { name: "Approve: ada@example.com, Review a product" }).click();
    await frame.getByText("Approved: the points were credited.").waitFor();
    await frame.getByText("No claims are waiting for approval.").waitFor();
    expect(await admin.db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ balance: 250n });
    expect((await admin.db.ledgerEntry.findFirstOrThrow({ where: { memberId: member.id } })).actor).toMatch(/^staff:/);
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await admin.open("/app/program/actions", { locale: "de" });
    await frame.getByRole("heading", { name: "Punkte sammeln", level: 1 }).waitFor();
    await frame.getByRole("heading", { name: "Warten auf Freigabe" }).waitFor();
    await page.close();
  });
});
