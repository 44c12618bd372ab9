// The endpoints the customer-account Rewards page adds to the extension API: the points history
// (GET /extensions/activity) and the birthday form (POST /extensions/birthday). Same session
// tokens, same CORS, the same refusals as the other extension endpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import * as activityRoute from "~/routes/extensions.activity";
import * as birthdayRoute from "~/routes/extensions.birthday";
import * as redeemRoute from "~/routes/extensions.redeem";
import { dueReleases, releasePendingPoints } from "~/loyalty/pending-points.server";
import { storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { extensionSessionToken, type SessionTokenOptions } from "../../dev/simulator/shopify-signing";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "activity-shop.myshopify.com";
const OTHER_SHOP = "other-activity-shop.myshopify.com";
const ADA = 6_200_001;
const BEN = 6_200_002;
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
  await deliverWebhook("orders/paid", orderPayload({ id: 6_100_001, customer: { id: ADA }, lines: [{ price: "600.00" }, { price: "12.00" }] }), { shop: SHOP });
  await deliverWebhook("refunds/create", refundPayload({ id: 6_300_001, orderId: 6_100_001, lines: [{ line: 1, quantity: 1, subtotal: "12.00" }] }), { shop: SHOP });
  await deliverWebhook("orders/paid", orderPayload({ id: 6_100_002, customer: { id: BEN }, lines: [{ price: "80.00" }] }), { shop: SHOP });
});
afterAll(() => shopify.close());

type Route = { loader?: unknown; action?: unknown };

function call(route: Route, path: string, { token, method = "GET", body }: { token?: SessionTokenOptions | string | null; method?: string; body?: string } = {}) {
  const authorization: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${typeof token === "string" ? token : extensionSessionToken({ shop: SHOP, ...token })}` };
  const request = new Request(`${APP_URL}${path}`, { method, headers: { "Content-Type": "application/json", ...authorization }, body });
  const handler = (method === "GET" ? route.loader : route.action) as (args: { request: Request; params: object; context: object }) => Promise<Response>;
  return handler({ request, params: {}, context: {} });
}

const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("GET /extensions/activity", () => {
  it("lists the customer's ledger newest first, with the order and the reward each entry came from", async () => {
    const rewardId = (await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, costPoints: 500 } })).id;
    expect((await call(redeemRoute, "/extensions/redeem", { token: { customerId: ADA }, method: "POST", body: JSON.stringify({ rewardId }) })).status).toBe(200);

    const response = await call(activityRoute, "/extensions/activity", { token: { customerId: ADA } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const body = await json(response);
    expect(body.next).toBeNull();
    expect(body.entries.map(({ kind, points, orderId, reward, status }: Record<string, unknown>) => ({ kind, points, orderId, reward, status }))).toEqual([
      { kind: "redeem", points: -500, orderId: null, reward: "5.00 off your order", status: "available" },
      { kind: "refund_reversal", points: -12, orderId: 6_100_001, reward: null, status: "available" },
      { kind: "earn", points: 612, orderId: 6_100_001, reward: null, status: "available" },
    ]);
    expect(new Date(body.entries[0].createdAt).getTime()).not.toBeNaN();
  });

  it("pages with `before` until `next` is null, and shows nobody else's entries", async () => {
    const first = await json(await call(activityRoute, "/extensions/activity?limit=2", { token: { customerId: ADA } }));
    expect(first.entries).toHaveLength(2);
    expect(first.next).toBe(first.entries[1].id);
    const second = await json(await call(activityRoute, `/extensions/activity?limit=2&before=${first.next}`, { token: { customerId: ADA } }));
    expect(second.entries.map((entry: { kind: string }) => entry.kind)).toEqual(["earn"]);
    expect(second.next).toBeNull();

    const ben = await json(await call(activityRoute, "/extensions/activity", { token: { customerId: BEN } }));
    expect(ben.entries.map((entry: { points: number; orderId: number }) => [entry.points, entry.orderId])).toEqual([[80, 6_100_002]]);
    // The same customer id in another shop: that shop's history, which is empty (and no member is made).
    expect(await json(await call(activityRoute, "/extensions/activity", { token: { shop: OTHER_SHOP, customerId: ADA } }))).toEqual({ version: 1, entries: [], next: null });
    expect(await db.member.count({ where: { shopDomain: OTHER_SHOP } })).toBe(0);
  });

  it("refuses a guest, a bad page and a bad token, as JSON", async () => {
    expect((await json(await call(activityRoute, "/extensions/activity", { token: {} }))).error.code).toBe("not_signed_in");
    for (const query of ["limit=0", "limit=51", "limit=ten", "before=-3", "before=1.5", "before=99999999999999999999", "limit=2&limit=3"]) {
      const response = await call(activityRoute, `/extensions/activity?${query}`, { token: { customerId: ADA } });
      expect(response.status, query).toBe(400);
      expect((await json(response)).error.code, query).toBe("invalid_query");
    }
    for (const token of [null, "forged", extensionSessionToken({ shop: SHOP, customerId: ADA, expiresIn: -60 })]) {
      const response = await call(activityRoute, "/extensions/activity", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
    expect((await call(activityRoute, "/extensions/activity", { token: null, method: "OPTIONS" })).status).toBe(204);
    expect((await call(activityRoute, "/extensions/activity", { token: { customerId: ADA }, method: "POST" })).status).toBe(405);
  });

  it("shows points held for a pending period, then their release as one entry", async () => {
    const shop = "pending-activity-shop.myshopify.com";
    await deliverWebhook("customers/create", { id: 6_200_009, email: "pending@example.com" }, { shop });
    const row = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
    await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...JSON.parse(row.program), pendingDays: 14 }) } });
    const placedAt = new Date(Date.now() - 86_400_000).toISOString();
    await deliverWebhook("orders/paid", { ...orderPayload({ id: 6_100_009, customer: { id: 6_200_009 }, lines: [{ price: "30.00" }], updatedAt: placedAt }), processed_at: placedAt, created_at: placedAt }, { shop });
    const history = async () => (await json(await call(activityRoute, "/extensions/activity", { token: { shop, customerId: 6_200_009 } }))).entries.map(({ kind, points, status }: Record<string, unknown>) => ({ kind, points, status }));
    expect(await history()).toEqual([{ kind: "earn", points: 30, status: "pending" }]);
    const periodOver = new Date(Date.now() + 14 * 86_400_000);
    for (const order of await dueReleases(db, periodOver, 10)) await releasePendingPoints(db, order, periodOver);
    expect(await history()).toEqual([
      { kind: "pending_release", points: 30, status: "available" },
      { kind: "earn", points: 30, status: "pending" },
    ]);
  });
});

describe("POST /extensions/birthday", () => {
  it("sets the customer's birthday once and answers their view", async () => {
    const response = await call(birthdayRoute, "/extensions/birthday", { token: { customerId: BEN }, method: "POST", body: JSON.stringify({ month: 2, day: 29 }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect((await json(response)).member).toMatchObject({ customerId: BEN, birthday: "02-29" });
    const again = await call(birthdayRoute, "/extensions/birthday", { token: { customerId: BEN }, method: "POST", body: JSON.stringify({ month: 3, day: 1 }) });
    expect(again.status).toBe(409);
    expect((await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BEN } })).birthday).toBe("02-29");
  });

  it("refuses bad input, a guest and a bad token, changing nothing", async () => {
    for (const body of ["{", JSON.stringify({ month: 13, day: 1 }), JSON.stringify({ month: 4, day: 31 }), JSON.stringify({ month: "4", day: 1 }), JSON.stringify({ month: 4 })]) {
      const response = await call(birthdayRoute, "/extensions/birthday", { token: { customerId: ADA }, method: "POST", body });
      expect(response.status, body).toBe(400);
    }
    expect((await call(birthdayRoute, "/extensions/birthday", { token: {}, method: "POST", body: JSON.stringify({ month: 1, day: 1 }) })).status).toBe(400);
    expect((await call(birthdayRoute, "/extensions/birthday", { token: "forged", method: "POST", body: JSON.stringify({ month: 1, day: 1 }) })).status).toBe(401);
    expect((await call(birthdayRoute, "/extensions/birthday", { token: { customerId: ADA } })).status).toBe(405);
    expect((await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: ADA } })).birthday).toBeNull();
  });
});
