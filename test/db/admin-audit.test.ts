// The admin's audit card: "Verify balances" runs the verify audit for the signed-in shop only,
// and the page shows the last reconciliation.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import type { VerifyReport } from "~/loyalty/verify.server";
import { adminRequest, storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

const STORE = "admin-audit";
const SHOP = `${STORE}.myshopify.com`;

describe("the admin's balances audit", () => {
  it("verifies the shop's balances on request, and names a mismatch", async () => {
    await storeOfflineSession(SHOP);
    await deliverWebhook("orders/paid", orderPayload({ id: 6_600_001, customer: { id: 6_700_001 }, lines: [{ price: "40.00" }] }), { shop: SHOP });
    // Another shop's damage is not this shop's business.
    await deliverWebhook("orders/paid", orderPayload({ id: 6_600_002, customer: { id: 6_700_002 }, lines: [{ price: "10.00" }] }), { shop: "audit-other.myshopify.com" });
    await db.member.updateMany({ where: { shopDomain: "audit-other.myshopify.com" }, data: { balance: 999 } });

    const { action, loader } = await import("~/routes/app._index");
    const post = async () => (await (await action({
        request: await setUpValidRequest(
          { type: RequestType.Admin, store: STORE, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
          new Request(`${APP_URL}/app?index`, { method: "POST", body: new URLSearchParams({ intent: "verify" }) }),
        ),
        params: {},
        context: {},
      })).json()) as { report: VerifyReport };
    const { report } = await post();
    expect(report).toMatchObject({ ok: true, checked: { shops: 1, members: 1, orders: 1 } });

    await db.member.updateMany({ where: { shopDomain: SHOP }, data: { balance: 41 } });
    const { report: after } = await post();
    expect(after.ok).toBe(false);
    expect(after.mismatches[0].detail).toContain("customer 6700001: balance 41, available ledger rows sum to 40");

    const page = await loader({ request: await adminRequest(STORE, `${APP_URL}/app`), params: {}, context: {} });
    expect(page.lastReconciliation).toBeNull();
    await db.reconcileRun.create({
      data: { shopDomain: SHOP, trigger: "job", status: "done", since: new Date("2026-11-28T00:00:00Z"), until: new Date("2026-11-30T00:00:00Z"), ordersSeen: 12, ordersRepaired: 2, pointsRepaired: 35n, finishedAt: new Date() },
    });
    const reloaded = await loader({ request: await adminRequest(STORE, `${APP_URL}/app`), params: {}, context: {} });
    expect(reloaded.lastReconciliation).toMatchObject({ status: "done", ordersSeen: 12, ordersRepaired: 2, pointsRepaired: 35 });
  });
});
