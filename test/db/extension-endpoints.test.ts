// The endpoints of the customer-account, thank-you and checkout extensions: Shopify's session
// token decides the shop (`dest`) and the customer (`sub`); nothing of another shop or customer
// is ever shown; a missing, forged or expired token is a JSON 401; CORS for Shopify's sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import * as customerRoute from "~/routes/extensions.customer";
import * as orderRoute from "~/routes/extensions.orders.$orderId";
import * as redeemRoute from "~/routes/extensions.redeem";
import { storeOfflineSession } from "../support/admin-session";
import { balanceOf } from "../support/ledger-queries";
import { APP_URL, deliverWebhook } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { extensionSessionToken, type SessionTokenOptions } from "../../dev/simulator/shopify-signing";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "extension-shop.myshopify.com";
const OTHER_SHOP = "other-extension-shop.myshopify.com";
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());

type Route = { loader?: (args: never) => Promise<Response> | Response; action?: (args: never) => Promise<Response> | Response };

function call(route: Route, path: string, { token, method = "GET", body, params = {}, headers = {} }: { token?: SessionTokenOptions | string | null; method?: string; body?: unknown; params?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const authorization: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${typeof token === "string" ? token : extensionSessionToken({ shop: SHOP, ...token })}` };
  const request = new Request(`${APP_URL}${path}`, {
    method,
    headers: { Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json", ...authorization, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const handler = method === "GET" ? route.loader : route.action;
  return (handler as (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>)({ request, params, context: {} });
}

const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("extension endpoints", () => {
  it("GET /extensions/customer answers as the proxy's /customer, for the token's customer", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_001, customer: { id: 5_200_001 }, lines: [{ price: "620.00" }] }), { shop: SHOP });
    const response = await call(customerRoute, "/extensions/customer", { token: { customerId: 5_200_001 } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = await json(response);
    expect(body).toMatchObject({ version: 1, member: { customerId: 5_200_001, balance: 620, redemptions: [] }, program: { rewards: [{ costPoints: 500 }] } });
    // A guest (no sub): no member. Checkout's bare-domain dest works too.
    expect((await json(await call(customerRoute, "/extensions/customer", { token: { destWithProtocol: false } }))).member).toBeNull();
  });

  it("refuses a missing, forged, expired or malformed token with a JSON 401, and answers the CORS preflight", async () => {
    for (const token of [null, "not-a-jwt", extensionSessionToken({ shop: SHOP, customerId: 1, secret: "forged" }), extensionSessionToken({ shop: SHOP, customerId: 1, expiresIn: -60 }), extensionSessionToken({ shop: "evil.example.com", customerId: 1 })]) {
      const response = await call(customerRoute, "/extensions/customer", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect((await json(response)).error.code).toMatch(/session_token/);
    }
    const preflight = await call(customerRoute, "/extensions/customer", { token: null, method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    // A Node client is not a bot to be refused: the token decides.
    expect((await call(customerRoute, "/extensions/customer", { token: { customerId: 5_200_001 }, headers: { "User-Agent": "node" } })).status).toBe(200);
  });

  it("GET /extensions/orders/<id> shows an order's points to its own customer only", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_002, customer: { id: 5_200_002 }, lines: [{ price: "57.60" }, { price: "10.00" }] }), { shop: SHOP });
    const mine = await call(orderRoute, "/extensions/orders/5100002", { token: { customerId: 5_200_002 }, params: { orderId: "5100002" } });
    expect(await json(mine)).toEqual({ version: 1, order: { id: 5_100_002, points: 67, status: "credited" } });
    await deliverWebhook("refunds/create", refundPayload({ id: 5_300_001, orderId: 5_100_002, lines: [{ line: 1, quantity: 1, subtotal: "10.00" }] }), { shop: SHOP });
    expect((await json(await call(orderRoute, "/extensions/orders/5100002", { token: { customerId: 5_200_002 }, params: { orderId: "5100002" } }))).order).toEqual({ id: 5_100_002, points: 57, status: "refunded" });

    expect((await call(orderRoute, "/extensions/orders/5100002", { token: { customerId: 5_200_001 }, params: { orderId: "5100002" } })).status).toBe(404);
    expect((await call(orderRoute, "/extensions/orders/5100002", { token: {}, params: { orderId: "5100002" } })).status).toBe(404);
    // The same order id in another shop is that shop's (Tally knows nothing of it there).
    expect(await json(await call(orderRoute, "/extensions/orders/5100002", { token: { shop: OTHER_SHOP, customerId: 5_200_002 }, params: { orderId: "5100002" } }))).toEqual({ version: 1, order: null });
    expect((await call(orderRoute, "/extensions/orders/abc", { token: { customerId: 5_200_002 }, params: { orderId: "abc" } })).status).toBe(400);
  });

  it("POST /extensions/redeem redeems as the proxy does, for the token's customer in the token's shop", async () => {
    const rewardId = (await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, costPoints: 500 } })).id;
    const response = await call(redeemRoute, "/extensions/redeem", { token: { customerId: 5_200_001 }, method: "POST", body: { rewardId } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = await json(response);
    expect(body.redemption).toMatchObject({ rewardId, status: "issued", amount: "5.00" });
    expect(shopify.shopify.discount(SHOP, body.redemption.code)).toBeDefined();
    expect(await balanceOf(db, 5_200_001, SHOP)).toBe(120);
    // No customer, or another shop's reward: refused, nothing spent.
    expect((await call(redeemRoute, "/extensions/redeem", { token: {}, method: "POST", body: { rewardId } })).status).toBe(400);
    expect((await call(redeemRoute, "/extensions/redeem", { token: { shop: OTHER_SHOP, customerId: 5_200_001 }, method: "POST", body: { rewardId } })).status).toBe(404);
    expect((await call(redeemRoute, "/extensions/redeem", { token: "forged", method: "POST", body: { rewardId } })).status).toBe(401);
    expect(await balanceOf(db, 5_200_001, SHOP)).toBe(120);
  });
});
