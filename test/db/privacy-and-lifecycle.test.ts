// Privacy webhooks and the app's lifecycle, checked by querying the database afterwards.
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { runDueJobs } from "../support/jobs";
import { memberOf, rowCounts } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { customerCreatePayload, orderPayload, refundPayload } from "../support/shopify-payloads";

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
});

describe("shop/redact", () => {
  it("deletes every row of the shop, through a durable job, and leaves other shops alone", async () => {
    const before = await rowCounts(db);
    expect((await deliverWebhook("shop/redact", { shop_id: 954889, shop_domain: SHOP }, { shop: SHOP })).status).toBe(200);
    // Answered at once; the deletion is a job that any worker (or a later start) runs.
    expect(await db.job.count({ where: { shopDomain: SHOP, name: "shop-redaction" } })).toBe(1);
    expect(await runDueJobs(db)).toBe(1);
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
    const payload = { id: 954889, name: "Privacy Shop", domain: SHOP, myshopify_domain: SHOP };
    expect((await deliverWebhook("app/uninstalled", payload, { shop: SHOP })).status).toBe(200);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.session.count({ where: { shop: OTHER_SHOP } })).toBe(1);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.uninstalledAt).toBeInstanceOf(Date);
    expect(await memberOf(db, ALICE, SHOP)).not.toBeNull();
  });
});

describe("app/scopes_update", () => {
  it("records the new scopes on the shop's sessions", async () => {
    const payload = { id: 1, previous: ["read_orders"], current: ["read_orders", "write_discounts"], updated_at: "2026-11-23T10:00:00-05:00" };
    expect((await deliverWebhook("app/scopes_update", payload, { shop: SHOP })).status).toBe(200);
    expect((await db.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_orders,write_discounts");
  });
});
