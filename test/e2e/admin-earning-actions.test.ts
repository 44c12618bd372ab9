// The Program's "Ways to earn" pages in Chromium, inside the local admin frame, served by the
// production build: an action created after the server's inline field error, listed and linked
// from Program settings; a waiting claim approved from the queue credits the member; axe finds no
// serious or critical violation; the merchant's language.
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

const API_KEY = "admin-actions-key";
const API_SECRET = "admin-actions-secret";
const SHOP = "admin-actions-e2e.myshopify.com";

describe("Ways to earn in the admin (Chromium)", () => {
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

  it("creates an action after an inline error, from the Program page's link", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program");
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
    expect(await db.earningAction.count({ where: { shopDomain: SHOP } })).toBe(0);
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-action-field-error"), fullPage: true });

    await frame.getByLabel("Link").fill("https://instagram.com/tally");
    await frame.getByRole("button", { name: "Save" }).last().click();
    await frame.getByRole("heading", { name: "Ways to earn", level: 1 }).waitFor();
    await frame.getByText("Follow us on Instagram").waitFor();
    expect(await db.earningAction.findFirstOrThrow({ where: { shopDomain: SHOP } })).toMatchObject({ kind: "social_follow", url: "https://instagram.com/tally", points: 150, enabled: true });
    await page.close();
  });

  it("approves a waiting claim from the queue, crediting the member", async () => {
    const action = await db.earningAction.create({ data: { shopDomain: SHOP, kind: "custom", title: "Review a product", points: 250, requiresApproval: true } });
    const member = await db.member.create({ data: { shopDomain: SHOP, customerId: 9_740_001n, email: "ada@example.com", referralCode: "E2EACTN1" } });
    await db.actionClaim.create({ data: { shopDomain: SHOP, actionId: action.id, memberId: member.id, status: "pending_approval", points: 250 } });

    const { page, app: frame } = await openAdmin(browser, admin, "/app/program/actions");
    await frame.getByText("ada@example.com").waitFor();
    expect(await seriousViolations(frame)).toEqual([]);
    await page.screenshot({ path: screenshotPath("admin-actions-queue"), fullPage: true });
    await frame.getByRole("button", { name: "Approve: ada@example.com, Review a product" }).click();
    await frame.getByText("Approved: the points were credited.").waitFor();
    await frame.getByText("No claims are waiting for approval.").waitFor();
    expect(await db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ balance: 250n });
    expect((await db.ledgerEntry.findFirstOrThrow({ where: { memberId: member.id } })).actor).toMatch(/^staff:/);
    await page.close();
  });

  it("speaks the merchant's language", async () => {
    const { page, app: frame } = await openAdmin(browser, admin, "/app/program/actions", { locale: "de" });
    await frame.getByRole("heading", { name: "Punkte sammeln", level: 1 }).waitFor();
    await frame.getByRole("heading", { name: "Warten auf Freigabe" }).waitFor();
    await page.close();
  });
});
