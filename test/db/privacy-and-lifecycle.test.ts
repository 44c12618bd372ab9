// Privacy webhooks and the app's lifecycle, checked by querying the database afterwards.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { webhookEventRecordsSettled } from "~/shopify/webhook-events.server";
import { runDueJobs } from "../support/jobs";
import { memberOf, rowCounts } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { customerCreatePayload, orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "privacy-shop.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const ALICE = 8_100_001;
const BOB = 8_100_002;

async function seed(shop: string) {
  await deliverWebhook("customers/create", customerCreatePayload({ id: ALICE, email: "alice@example.com", firstName: "Alice" }), { shop });
  await deliverWebhook("orders/paid", orderPayload({ id: 8_200_001, customer: { id: ALICE }, lines: [{ price: "70.00" }] }), { shop });
  await deliverWebhook("refunds/create", refundPayload({ id: 8_300_001, orderId: 8_200_001, lines: [{ line: 0, quantity: 1, subtotal: "35.00" }] }), { shop });
  await deliverWebhook("orders/paid", orderPayload({ id: 8_200_002, customer: { id: BOB }, lines: [{ price: "20.00" }] }), { shop });
  await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "shpat_test", scope: "read_orders" } });
}

beforeEach(async () => {
  await webhookEventRecordsSettled();
  await db.session.deleteMany();
  await db.shop.deleteMany();
  await seed(SHOP);
  await seed(OTHER_SHOP);
});

describe("customers/create", () => {
  it("enrols the customer with their profile", async () => {
    expect(await memberOf(db, ALICE, SHOP)).toMatchObject({ email: "alice@example.com", firstName: "Alice", balance: 35n });
  });
});

describe("customers/data_request", () => {
  it("stores everything Tally holds on the customer for the merchant", async () => {
    const payload = { shop_id: 954889, shop_domain: SHOP, orders_requested: [8_200_001], customer: { id: ALICE, email: "alice@example.com", phone: null }, data_request: { id: 9999 } };
    expect((await deliverWebhook("customers/data_request", payload, { shop: SHOP })).status).toBe(200);
    const request = await db.dataRequest.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(ALICE) } });
    expect(request.requestId).toBe(9999n);
    const data = JSON.parse(request.data);
    expect(data.member).toMatchObject({ email: "alice@example.com", balance: 35 });
    expect(data.ledger.map((entry: { delta: number }) => entry.delta)).toEqual([70, -35]);
    expect(data.orders).toEqual([expect.objectContaining({ orderId: 8_200_001, pointsCredited: 35 })]);
  });

  it("keeps one export per request, however its deliveries arrive: together, again, or as new events", async () => {
    const payload = { shop_id: 954889, shop_domain: SHOP, orders_requested: [], customer: { id: ALICE, email: "alice@example.com", phone: null }, data_request: { id: 9_998 } };
    const stored = () => db.dataRequest.count({ where: { shopDomain: SHOP, requestId: 9_998n } });
    const event = { eventId: "data-request-9998", webhookId: "delivery-9998" };
    const together = await Promise.all(Array.from({ length: 5 }, () => deliverWebhook("customers/data_request", payload, { shop: SHOP, ...event })));
    expect(together.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await stored()).toBe(1);
    expect((await deliverWebhook("customers/data_request", payload, { shop: SHOP })).status).toBe(200);
    expect(await stored()).toBe(1);
    // Another request of the same customer is another export.
    expect((await deliverWebhook("customers/data_request", { ...payload, data_request: { id: 9_997 } }, { shop: SHOP })).status).toBe(200);
    expect(await db.dataRequest.count({ where: { shopDomain: SHOP, customerId: BigInt(ALICE), requestId: { in: [9_997n, 9_998n] } } })).toBe(2);
  });
});

describe("customers/redact", () => {
  it("deletes the customer's member, ledger and orders, and nothing of anyone else", async () => {
    const payload = { shop_id: 954889, shop_domain: SHOP, customer: { id: ALICE, email: "alice@example.com", phone: null }, orders_to_redact: [8_200_001] };
    expect((await deliverWebhook("customers/redact", payload, { shop: SHOP })).status).toBe(200);
    expect(await memberOf(db, ALICE, SHOP)).toBeNull();
    expect(await db.ledgerEntry.count({ where: { shopDomain: SHOP, sourceId: { in: ["8200001", "8300001"] } } })).toBe(0);
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP, orderId: 8_200_001n } })).toBe(0);
    expect(await db.orderRefund.count({ where: { shopDomain: SHOP, orderId: 8_200_001n } })).toBe(0);
    expect(await memberOf(db, BOB, SHOP)).toMatchObject({ balance: 20n });
    expect(await memberOf(db, ALICE, OTHER_SHOP)).toMatchObject({ balance: 35n });
  });

  it("stores nothing of the erased customer again: a later order delivery naming them is kept as a guest's, customers/create or update store nothing", async () => {
    const payload = { shop_id: 954889, shop_domain: SHOP, customer: { id: ALICE, email: "alice@example.com", phone: null }, orders_to_redact: [8_200_001] };
    expect((await deliverWebhook("customers/redact", payload, { shop: SHOP })).status).toBe(200);
    const before = await rowCounts(db);
    // The order archived or tagged after the erasure: Shopify delivers it again, still naming her.
    const archived = orderPayload({ id: 8_200_001, customer: { id: ALICE, email: "alice@example.com", firstName: "Alice" }, lines: [{ price: "70.00" }], updatedAt: "2026-11-25T10:00:00-05:00" });
    expect((await deliverWebhook("orders/updated", archived, { shop: SHOP })).status).toBe(200);
    // A late first order, with a member's referral code on it: no referral of her is stored either.
    const bob = await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(BOB) } });
    const late = orderPayload({ id: 8_200_003, customer: { id: ALICE }, lines: [{ price: "15.00" }], noteAttributes: { tally_referral: bob.referralCode } });
    expect((await deliverWebhook("orders/paid", late, { shop: SHOP })).status).toBe(200);
    expect(await db.referral.count({ where: { shopDomain: SHOP, referredCustomerId: BigInt(ALICE) } })).toBe(0);
    expect((await deliverWebhook("customers/create", customerCreatePayload({ id: ALICE, email: "alice@example.com", firstName: "Alice" }), { shop: SHOP })).status).toBe(200);
    expect((await deliverWebhook("customers/update", customerCreatePayload({ id: ALICE, email: "alice@example.com", firstName: "Alice" }), { shop: SHOP })).status).toBe(200);
    expect(await memberOf(db, ALICE, SHOP)).toBeNull();
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP, customerId: BigInt(ALICE) } })).toBe(0);
    // The orders themselves are kept, as a guest's: no points for anyone.
    expect(await db.orderSnapshot.findMany({ where: { shopDomain: SHOP, orderId: { in: [8_200_001n, 8_200_003n] } }, select: { customerId: true, pointsCredited: true } })).toEqual([
      { customerId: null, pointsCredited: 0n },
      { customerId: null, pointsCredited: 0n },
    ]);
    expect(await rowCounts(db)).toMatchObject({ members: before.members, ledger: before.ledger });
    // In another shop she is a member as before, and a new order there earns.
    expect((await deliverWebhook("orders/paid", orderPayload({ id: 8_200_004, customer: { id: ALICE }, lines: [{ price: "15.00" }] }), { shop: OTHER_SHOP })).status).toBe(200);
    expect(await memberOf(db, ALICE, OTHER_SHOP)).toMatchObject({ balance: 50n });
  });
});

describe("customers/redact of a referred customer", () => {
  it("deletes the referral and marks the referrer's storefront summary out of date", async () => {
    const bob = await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(BOB) } });
    await db.referral.create({ data: { shopDomain: SHOP, referrerMemberId: bob.id, referredCustomerId: BigInt(ALICE), orderId: 8_200_001n, code: bob.referralCode, points: 0, status: "credited" } });
    const payload = { shop_id: 954889, shop_domain: SHOP, customer: { id: ALICE, email: "alice@example.com", phone: null }, orders_to_redact: [] };
    expect((await deliverWebhook("customers/redact", payload, { shop: SHOP })).status).toBe(200);
    expect(await db.referral.count({ where: { shopDomain: SHOP, referredCustomerId: BigInt(ALICE) } })).toBe(0);
    const after = await db.member.findUniqueOrThrow({ where: { id: bob.id } });
    expect(after.summaryVersion).toBeGreaterThan(bob.summaryVersion);
  });
});

describe("shop/redact", () => {
  it("deletes every row of the shop before answering (a small shop), and leaves other shops alone", async () => {
    const before = await rowCounts(db);
    expect((await deliverWebhook("shop/redact", { shop_id: 954889, shop_domain: SHOP }, { shop: SHOP })).status).toBe(200);
    // The durable job ran in this process before the answer: nothing is left to run.
    expect(await runDueJobs(db)).toBe(0);
    for (const table of [db.member, db.ledgerEntry, db.orderSnapshot, db.orderRefund, db.reward, db.tier, db.dataRequest] as unknown as { count(args: object): Promise<number> }[]) {
      expect(await table.count({ where: { shopDomain: SHOP } })).toBe(0);
    }
    expect(await db.shop.count({ where: { domain: SHOP } })).toBe(0);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.job.count({ where: { shopDomain: SHOP } })).toBe(0);
    const after = await rowCounts(db);
    expect(after.members).toBe(before.members / 2);
    expect(await memberOf(db, ALICE, OTHER_SHOP)).toMatchObject({ balance: 35n });
  });
});

describe("app/uninstalled", () => {
  it("deletes the shop's sessions and marks it uninstalled, keeping its program", async () => {
    expect((await deliverWebhook("app/uninstalled", shopResource(954889, SHOP), { shop: SHOP })).status).toBe(200);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.session.count({ where: { shop: OTHER_SHOP } })).toBe(1);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.uninstalledAt).toBeInstanceOf(Date);
    expect(await memberOf(db, ALICE, SHOP)).not.toBeNull();
  });

  it("takes Shopify's sample payload, which names no shop (\"myshopify_domain\": null), for the header's shop", async () => {
    const sample = { ...shopResource(548380009, SHOP), domain: null, myshopify_domain: null };
    expect((await deliverWebhook("app/uninstalled", sample, { shop: OTHER_SHOP })).status).toBe(200);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: OTHER_SHOP } })).uninstalledAt).toBeInstanceOf(Date);
    expect(await db.session.count({ where: { shop: OTHER_SHOP } })).toBe(0);
  });
});

describe("app/scopes_update", () => {
  it("records the new scopes on the shop's sessions", async () => {
    const payload = { id: 1, previous: ["read_orders"], current: ["read_orders", "write_discounts"], updated_at: "2026-11-23T10:00:00-05:00" };
    expect((await deliverWebhook("app/scopes_update", payload, { shop: SHOP })).status).toBe(200);
    expect((await db.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_orders,write_discounts");
  });
});

// Shopify's HMAC covers the body, not X-Shopify-Shop-Domain: a body signed for one shop, replayed
// with another shop's domain in the header, must change nothing of either shop.
describe("the shop a signed body names", () => {
  const customer = { id: ALICE, email: "alice@example.com", phone: null };
  // Payloads as Shopify sends them for OTHER_SHOP (shop id 954889).
  const bodies: [topic: string, payload: object][] = [
    ["shop/redact", { shop_id: 954889, shop_domain: OTHER_SHOP }],
    ["customers/redact", { shop_id: 954889, shop_domain: OTHER_SHOP, customer, orders_to_redact: [8_200_001] }],
    ["customers/data_request", { shop_id: 954889, shop_domain: OTHER_SHOP, orders_requested: [8_200_001], customer, data_request: { id: 9999 } }],
    ["app/uninstalled", shopResource(954889, OTHER_SHOP)],
  ];

  async function everything() {
    const shops = await db.shop.findMany({ orderBy: { domain: "asc" }, select: { domain: true, uninstalledAt: true } });
    return { ...(await rowCounts(db)), shops, alice: await memberOf(db, ALICE, SHOP) };
  }

  it.each(bodies)("refuses %s naming another shop than the header with 403, changing nothing", async (topic, payload) => {
    const before = await everything();
    const response = await deliverWebhook(topic, payload, { shop: SHOP });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "shop_mismatch", message: expect.any(String) } });
    expect(await everything()).toEqual(before);
  });

  it.each(bodies)("refuses %s naming another shop id than the shop's known one with 403", async (topic, payload) => {
    await db.shop.update({ where: { domain: SHOP }, data: { shopifyGid: "gid://shopify/Shop/111" } });
    const before = await everything();
    const forShop = topic === "app/uninstalled" ? shopResource(954889, SHOP) : { ...payload, shop_domain: SHOP };
    const response = await deliverWebhook(topic, forShop, { shop: SHOP });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("shop_mismatch");
    expect(await everything()).toEqual(before);
  });

  it("accepts the shop's own id", async () => {
    await db.shop.update({ where: { domain: SHOP }, data: { shopifyGid: "gid://shopify/Shop/954889" } });
    expect((await deliverWebhook("shop/redact", { shop_id: 954889, shop_domain: SHOP }, { shop: SHOP })).status).toBe(200);
    await runDueJobs(db);
    expect(await db.shop.count({ where: { domain: SHOP } })).toBe(0);
  });
});

// A valid HMAC only says the shop installed Tally at some point; privacy and lifecycle webhooks
// for a shop Tally holds nothing of answer 200 and store nothing (no Shop row, no export).
describe("a shop Tally never heard of", () => {
  const NEW_SHOP = "never-installed.myshopify.com";
  const customer = { id: ALICE, email: "alice@example.com", phone: null };

  it.each<[string, object]>([
    ["customers/data_request", { shop_id: 7, shop_domain: NEW_SHOP, orders_requested: [], customer, data_request: { id: 1 } }],
    ["customers/redact", { shop_id: 7, shop_domain: NEW_SHOP, customer, orders_to_redact: [] }],
    ["shop/redact", { shop_id: 7, shop_domain: NEW_SHOP }],
    ["app/uninstalled", shopResource(7, NEW_SHOP)],
  ])("answers %s with 200 and stores nothing", async (topic, payload) => {
    const before = await rowCounts(db);
    expect((await deliverWebhook(topic, payload, { shop: NEW_SHOP })).status).toBe(200);
    await webhookEventRecordsSettled();
    expect(await db.shop.count({ where: { domain: NEW_SHOP } })).toBe(0);
    expect(await db.webhookEvent.count({ where: { shopDomain: NEW_SHOP } })).toBe(0);
    expect(await db.job.count({ where: { shopDomain: NEW_SHOP } })).toBe(0);
    expect(await rowCounts(db)).toEqual(before);
  });
});

/** The REST Shop resource, the body of app/uninstalled (a subset of Shopify's sample). */
function shopResource(id: number, domain: string) {
  return {
    id,
    name: "Privacy Shop",
    email: "owner@example.com",
    domain: "shop.example.com",
    province: "Ontario",
    country: "CA",
    address1: "1 Main St",
    zip: "K1A 0B1",
    city: "Ottawa",
    source: null,
    phone: "555-0100",
    created_at: "2026-01-05T10:00:00-05:00",
    updated_at: "2026-11-20T10:00:00-05:00",
    country_code: "CA",
    currency: "CAD",
    customer_email: "owner@example.com",
    timezone: "(GMT-05:00) Eastern Time (US & Canada)",
    iana_timezone: "America/Toronto",
    shop_owner: "Owner",
    money_format: "${{amount}}",
    plan_name: "basic",
    myshopify_domain: domain,
  };
}
