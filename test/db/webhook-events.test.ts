// Repeated deliveries of one event (X-Shopify-Event-Id) are answered 200 without being parsed or
// worked again; events are recorded per shop and topic, only once their work committed.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { forgetWebhookEventsBefore, recordWebhookEvent, WEBHOOK_EVENTS_PRUNING, webhookEventRecordsSettled } from "~/shopify/webhook-events.server";
import { sql } from "~/sql.server";
import { runDueJobs, testJobRunner } from "../support/jobs";
import { balanceOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_SHOP } from "../../dev/simulator/shopify-signing";

let nextId = 1;
function ids() {
  const base = nextId++ * 1_000;
  return { orderId: 3_000_000 + base, customerId: 3_500_000 + base };
}

const orderSnapshots = (orderId: number) => db.orderSnapshot.count({ where: { shopDomain: TEST_SHOP, orderId: BigInt(orderId) } });

describe("a repeated event", () => {
  it("is answered 200 before its body is parsed, and changes nothing", async () => {
    const eventId = randomUUID();
    const first = ids();
    const paid = orderPayload({ id: first.orderId, customer: { id: first.customerId }, lines: [{ price: "30.00" }] });
    expect((await deliverWebhook("orders/paid", paid, { eventId })).status).toBe(200);
    expect(await balanceOf(db, first.customerId)).toBe(30);

    // The same event id with another order: skipped, so that order is not credited …
    const other = ids();
    const otherPaid = orderPayload({ id: other.orderId, customer: { id: other.customerId }, lines: [{ price: "50.00" }] });
    expect((await deliverWebhook("orders/paid", otherPaid, { eventId })).status).toBe(200);
    expect(await orderSnapshots(other.orderId)).toBe(0);
    expect(await balanceOf(db, other.customerId)).toBeNull();
    // … and a body that is not even JSON is never parsed (400 otherwise).
    expect((await deliverWebhook("orders/paid", null, { eventId, rawBody: '{"id": 1,' })).status).toBe(200);
    // Recorded in the background (the process counts the event as seen meanwhile).
    await webhookEventRecordsSettled();
    expect(await db.webhookEvent.findMany({ where: { eventId } })).toEqual([
      { shopDomain: TEST_SHOP, eventId, topic: "orders/paid", receivedAt: expect.any(Date) },
    ]);
  });

  it("is recognised by X-Shopify-Webhook-Id when the delivery has no event id", async () => {
    const webhookId = randomUUID();
    const first = ids();
    const second = ids();
    const paid = (spec: { orderId: number; customerId: number }) => orderPayload({ id: spec.orderId, customer: { id: spec.customerId }, lines: [{ price: "10.00" }] });
    expect((await deliverWebhook("orders/paid", paid(first), { eventId: null, webhookId })).status).toBe(200);
    expect((await deliverWebhook("orders/paid", paid(second), { eventId: null, webhookId })).status).toBe(200);
    expect(await balanceOf(db, first.customerId)).toBe(10);
    expect(await orderSnapshots(second.orderId)).toBe(0);
  });

  it("of another topic or another shop is not a repeat", async () => {
    const eventId = randomUUID();
    const { orderId, customerId } = ids();
    expect((await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "40.00" }] }), { eventId })).status).toBe(200);
    const refund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 0, quantity: 1, subtotal: "10.00" }] });
    expect((await deliverWebhook("refunds/create", refund, { eventId })).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(30);

    const otherShop = "events-other.myshopify.com";
    expect((await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "40.00" }] }), { eventId, shop: otherShop })).status).toBe(200);
    expect(await balanceOf(db, customerId, otherShop)).toBe(40);
  });

  it("is recorded only once its work succeeded: a refused delivery is worked when it comes again", async () => {
    const eventId = randomUUID();
    const { orderId, customerId } = ids();
    const paid = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "20.00" }] });
    expect((await deliverWebhook("orders/paid", { ...paid, id: "not an id" }, { eventId })).status).toBe(422);
    expect(await db.webhookEvent.count({ where: { eventId } })).toBe(0);
    expect((await deliverWebhook("orders/paid", paid, { eventId })).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(20);
  });
});

describe("recorded events", () => {
  it("go with their shop (shop/redact)", async () => {
    const shop = "events-redacted.myshopify.com";
    const { orderId, customerId } = ids();
    expect((await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "5.00" }] }), { shop })).status).toBe(200);
    await webhookEventRecordsSettled();
    expect(await db.webhookEvent.count({ where: { shopDomain: shop } })).toBe(1);
    expect((await deliverWebhook("shop/redact", { shop_id: 42, shop_domain: shop }, { shop })).status).toBe(200);
    await webhookEventRecordsSettled();
    await runDueJobs(db); // the shop-redaction job
    expect(await db.webhookEvent.count({ where: { shopDomain: shop } })).toBe(0);
  });

  it("are pruned by receipt time, a day after, by the hourly webhook-events-pruning job", async () => {
    const shop = "events-pruned.myshopify.com";
    const { orderId, customerId } = ids();
    expect((await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "5.00" }] }), { shop })).status).toBe(200);
    await webhookEventRecordsSettled();
    await db.webhookEvent.deleteMany({ where: { shopDomain: shop } });
    const day = (n: number) => new Date(Date.UTC(2026, 10, n, 12));
    for (const n of [1, 2, 3]) await recordWebhookEvent(sql(), { shopDomain: shop, eventId: `event-${n}`, topic: "orders/paid" }, day(n));
    // Recording twice changes nothing.
    await recordWebhookEvent(sql(), { shopDomain: shop, eventId: "event-3", topic: "orders/paid" }, day(9));

    expect(await forgetWebhookEventsBefore(db, day(2))).toBe(1);
    const left = await db.webhookEvent.findMany({ where: { shopDomain: shop }, orderBy: { eventId: "asc" } });
    expect(left.map((event) => [event.eventId, event.receivedAt])).toEqual([
      ["event-2", day(2)],
      ["event-3", day(3)],
    ]);

    // The job keeps the last day.
    const recent = new Date(Date.now() - 3_600_000);
    await recordWebhookEvent(sql(), { shopDomain: shop, eventId: "event-recent", topic: "orders/paid" }, recent);
    expect(await testJobRunner(db).runNow({ key: WEBHOOK_EVENTS_PRUNING.key, name: WEBHOOK_EVENTS_PRUNING.name })).toBe("ran");
    expect((await db.webhookEvent.findMany({ where: { shopDomain: shop } })).map((event) => event.eventId)).toEqual(["event-recent"]);
  });
});
