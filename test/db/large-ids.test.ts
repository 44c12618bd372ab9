// Shopify's ids are 64-bit. Its sample payloads (the CLI's `app webhook trigger`, the admin's
// test notifications) use ids past 2^53 — order 820982911946154508, customer
// 115310627314723954 — which JSON.parse would round, merging distinct orders. They must be
// credited exactly, stored exactly and served exactly.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { balanceOf, ledgerOf } from "../support/ledger-queries";
import { deliverWebhook, proxyGet } from "../support/routes";
import { orderPayload, refundPayload, shopifyJson } from "../../dev/simulator/shopify-payloads";

const SHOP = "sample-ids.myshopify.com";
const ORDER = 820_982_911_946_154_508n;
const CUSTOMER = 115_310_627_314_723_954n;
const LINE = 866_550_311_766_439_020n;
const REFUND = 890_088_186_047_892_319n;

function sampleOrder(orderId: bigint, price: string) {
  const order = orderPayload({ id: 1, customer: { id: 1 }, lines: [{ price }] }) as Record<string, unknown> & {
    customer: Record<string, unknown>;
    line_items: Record<string, unknown>[];
  };
  order.id = orderId;
  order.admin_graphql_api_id = `gid://shopify/Order/${orderId}`;
  order.customer.id = CUSTOMER;
  order.customer.admin_graphql_api_id = `gid://shopify/Customer/${CUSTOMER}`;
  order.line_items[0]!.id = LINE;
  return order;
}

function sampleRefund(subtotal: string) {
  const refund = refundPayload({ id: 1, orderId: 1, lines: [{ line: 0, quantity: 1, subtotal }] }) as Record<string, unknown> & {
    refund_line_items: (Record<string, unknown> & { line_item: Record<string, unknown> })[];
  };
  refund.id = REFUND;
  refund.order_id = ORDER;
  refund.admin_graphql_api_id = `gid://shopify/Refund/${REFUND}`;
  refund.refund_line_items[0]!.line_item_id = LINE;
  refund.refund_line_items[0]!.line_item.id = LINE;
  return refund;
}

const deliver = (topic: string, payload: unknown) => deliverWebhook(topic, null, { shop: SHOP, rawBody: shopifyJson(payload) });


describe("ids past 2^53", () => {
  it("credits Shopify's sample order to its exact customer, and takes back its refund", async () => {
    expect((await deliver("orders/paid", sampleOrder(ORDER, "199.00"))).status).toBe(200);
    expect(await balanceOf(db, CUSTOMER, SHOP)).toBe(199);

    const snapshot = await db.orderSnapshot.findUniqueOrThrow({ where: { shopDomain_orderId: { shopDomain: SHOP, orderId: ORDER } } });
    expect(snapshot.customerId).toBe(CUSTOMER);
    expect((await ledgerOf(db, CUSTOMER, SHOP)).map((entry) => entry.key)).toEqual([`order:${ORDER}:earn`]);

    expect((await deliver("refunds/create", sampleRefund("99.00"))).status).toBe(200);
    expect((await deliver("refunds/create", sampleRefund("99.00"))).status).toBe(200); // a duplicate
    expect(await balanceOf(db, CUSTOMER, SHOP)).toBe(100);
    expect((await ledgerOf(db, CUSTOMER, SHOP)).map((entry) => entry.key)).toEqual([`order:${ORDER}:earn`, `refund:${REFUND}`]);
  });

  it("keeps apart two orders whose ids a double cannot tell apart", async () => {
    const next = ORDER + 1n;
    expect(Number(next)).toBe(Number(ORDER)); // the rounding this guards against
    expect((await deliver("orders/paid", sampleOrder(next, "50.00"))).status).toBe(200);
    expect(await balanceOf(db, CUSTOMER, SHOP)).toBe(150);
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP } })).toBe(2);
  });

  it("serves the customer through the app proxy, with the id written exactly", async () => {
    const response = await proxyGet("customer", { shop: SHOP, customerId: CUSTOMER });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain(`"customerId":${CUSTOMER}`);
    expect(JSON.parse(text).member.balance).toBe(150);
  });

  it("exports and redacts the customer by their exact id", async () => {
    const request = { shop_id: 954889, shop_domain: SHOP, orders_requested: [ORDER], customer: { id: CUSTOMER, email: null, phone: null }, data_request: { id: 9999 } };
    expect((await deliver("customers/data_request", request)).status).toBe(200);
    const stored = await db.dataRequest.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: CUSTOMER } });
    expect(stored.data).toContain(`"customerId":${CUSTOMER}`);
    expect(stored.data).toContain(`"orderId":${ORDER}`);

    const redact = { shop_id: 954889, shop_domain: SHOP, customer: { id: CUSTOMER, email: null, phone: null }, orders_to_redact: [ORDER] };
    expect((await deliver("customers/redact", redact)).status).toBe(200);
    expect(await balanceOf(db, CUSTOMER, SHOP)).toBeNull();
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP, customerId: CUSTOMER } })).toBe(0);
  });

  it("refuses an id past 64 bits with 422, changing nothing", async () => {
    const before = await db.orderSnapshot.count({ where: { shopDomain: SHOP } });
    const order = sampleOrder(ORDER + 7n, "10.00");
    order.id = 2n ** 64n;
    const response = await deliver("orders/paid", order);
    expect(response.status).toBe(422);
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP } })).toBe(before);
  });
});
