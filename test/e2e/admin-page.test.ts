// The embedded admin's overview, rendered by the production build and seen in Chromium.
import { RequestType, setUpValidRequest, setUpValidSession } from "@shopify/shopify-api/test-helpers";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/db.server";
import { databaseTarget } from "~/database-url";
import { webhookUri } from "../../dev/simulator/app-config";
import { startApp, type RunningApp } from "../../dev/simulator/app-server";
import { DESKTOP_USER_AGENT, launchChromium, screenshotPath } from "../../dev/simulator/browser";
import { createTestDatabase, type TestDatabase } from "../../dev/simulator/databases";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { signedWebhookRequest } from "../../dev/simulator/shopify-signing";

const API_KEY = "admin-e2e-key";
const API_SECRET = "admin-e2e-secret";
const STORE = "admin-e2e";
const SHOP = `${STORE}.myshopify.com`;
const SCOPES = "read_orders,read_customers,write_customers,write_discounts,read_store_credit_accounts,write_store_credit_account_transactions,read_store_credit_account_transactions,write_app_proxy";

describe("admin overview in Chromium", () => {
  let database: TestDatabase;
  let db: Db;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    db = createDb(databaseTarget(database.url));
    const session = setUpValidSession({ shop: SHOP, expires: new Date(Date.now() + 86_400_000), scope: SCOPES });
    await db.session.create({
      data: { id: session.id, shop: SHOP, state: session.state, isOnline: false, scope: SCOPES, expires: session.expires, accessToken: session.accessToken! },
    });
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET, env: { SCOPES } });
    for (const [i, price] of ["120.00", "35.00", "9.99"].entries()) {
      const payload = orderPayload({ id: 2_200_001 + i, customer: { id: 2_300_001 + i }, lines: [{ price }] });
      const response = await fetch(signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", payload, { shop: SHOP, secret: API_SECRET }));
      expect(response.status).toBe(200);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.$disconnect();
    await database?.drop();
  });

  it("shows the program and its member count to the signed-in merchant", async () => {
    const request = await setUpValidRequest({ type: RequestType.Admin, store: STORE, apiKey: API_KEY, apiSecretKey: API_SECRET }, new Request(`${app.baseUrl}/app`));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_USER_AGENT });
    const response = await page.goto(request.url, { waitUntil: "domcontentloaded" });
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { name: "Points outstanding" }).waitFor();
    await page.screenshot({ path: screenshotPath("admin-overview"), fullPage: true });
    const text = await page.locator("body").innerText();
    expect(text).toMatch(/Members\s+3\b/);
    expect(text).toMatch(/Points outstanding\s+164\b/);
    expect(text).toMatch(/Outstanding liability\s+\$1\.64/);
    expect(await page.getByText("Points outstanding × $0.01 a point: 5.00 off your order for 500 points, your cheapest reward with an amount.").count()).toBe(1);
    expect(await page.getByText("Customers earn 1 point for every $1.00 spent on products after discounts.").count()).toBe(1);
    await page.close();
  });
});
