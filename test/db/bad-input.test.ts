// Bad input gets a clear 4xx and changes nothing: forged signatures, malformed JSON, wrong
// types, unknown ids, huge values, the wrong topic.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { webhookUri } from "../../dev/simulator/app-config";
import { rowCounts } from "../support/ledger-queries";
import { APP_URL, deliverWebhook, routeModule, sendToAction } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { webhookHeaders } from "../../dev/simulator/shopify-signing";

const validOrder = orderPayload({ id: 6_100_001, customer: { id: 6_200_001 }, lines: [{ price: "30.00" }] });
let baseline: Awaited<ReturnType<typeof rowCounts>>;

beforeAll(async () => {
  // One accepted order first, so "changes nothing" is checked against a non-empty database.
  expect((await deliverWebhook("orders/paid", validOrder)).status).toBe(200);
  baseline = await rowCounts(db);
});

async function expectNothingChanged() {
  expect(await rowCounts(db)).toEqual(baseline);
}

function withChange(change: (payload: Record<string, unknown>) => void) {
  const payload = structuredClone(orderPayload({ id: 6_100_002, customer: { id: 6_200_002 }, lines: [{ price: "30.00" }] })) as unknown as Record<string, unknown>;
  change(payload);
  return payload;
}

describe("webhook signatures", () => {
  it("refuses a forged HMAC with 401", async () => {
    const response = await deliverWebhook("orders/paid", withChange(() => {}), { hmac: "Zm9yZ2VkIHNpZ25hdHVyZQ==" });
    expect(response.status).toBe(401);
    await expectNothingChanged();
  });

  it("refuses a body signed with another app's secret with 401", async () => {
    const response = await deliverWebhook("orders/paid", withChange(() => {}), { secret: "not-our-secret" });
    expect(response.status).toBe(401);
    await expectNothingChanged();
  });

  it("refuses a body changed after signing with 401", async () => {
    const body = JSON.stringify(withChange(() => {}));
    const headers = webhookHeaders("orders/paid", body);
    const tampered = body.replace('"30.00"', '"3000.00"');
    const uri = webhookUri("orders/paid");
    const response = await sendToAction(uri, new Request(new URL(uri, APP_URL), { method: "POST", headers, body: tampered }));
    expect(response.status).toBe(401);
    await expectNothingChanged();
  });

  it("refuses a request without Shopify's headers with 400", async () => {
    const uri = webhookUri("orders/paid");
    const request = new Request(new URL(uri, APP_URL), { method: "POST", body: JSON.stringify(validOrder), headers: { "Content-Type": "application/json" } });
    expect((await sendToAction(uri, request)).status).toBe(400);
    await expectNothingChanged();
  });
});

describe("payloads", () => {
  it("answers 400 to truncated JSON, even when correctly signed", async () => {
    const body = JSON.stringify(validOrder).slice(0, 200);
    const response = await deliverWebhook("orders/paid", null, { rawBody: body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "malformed_json" } });
    await expectNothingChanged();
  });

  it.each([
    ["an amount given as a number", (p: Record<string, unknown>) => ((p.line_items as { price_set: { shop_money: { amount: unknown } } }[])[0].price_set.shop_money.amount = 30)],
    ["an order id given as a string", (p: Record<string, unknown>) => (p.id = "6100002")],
    ["a negative price", (p: Record<string, unknown>) => ((p.line_items as { price_set: { shop_money: { amount: unknown } } }[])[0].price_set.shop_money.amount = "-30.00")],
    ["a huge amount", (p: Record<string, unknown>) => ((p.line_items as { price_set: { shop_money: { amount: unknown } } }[])[0].price_set.shop_money.amount = "99999999999999999999.00")],
    ["an id beyond 2^53", (p: Record<string, unknown>) => (p.id = 1e20)],
    ["a fractional quantity", (p: Record<string, unknown>) => ((p.line_items as { quantity: unknown }[])[0].quantity = 1.5)],
    ["missing line items", (p: Record<string, unknown>) => delete p.line_items],
    ["an unknown currency", (p: Record<string, unknown>) => (p.currency = "ZZZ")],
    ["a customer id of the wrong type", (p: Record<string, unknown>) => ((p.customer as { id: unknown }).id = { id: 1 })],
  ])("answers 422 to %s and changes nothing", async (_, change) => {
    const response = await deliverWebhook("orders/paid", withChange(change));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_payload" } });
    await expectNothingChanged();
  });

  it("answers 422 to a refund without an order id", async () => {
    const refund = refundPayload({ id: 6_300_001, orderId: 6_100_001, lines: [{ line: 0, quantity: 1, subtotal: "30.00" }] }) as Record<string, unknown>;
    delete refund.order_id;
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(422);
    await expectNothingChanged();
  });

  // (A lean refund without any currency is fine: its plain amounts are exact decimals of shop
  // money, read against the order; see order-webhooks.test.ts.)
  it("answers 422 to a refund amount that is not a decimal", async () => {
    const refund = { id: 6_300_002, order_id: 6_100_001, refund_line_items: [{ line_item_id: 1, quantity: 1, subtotal: "thirty" }] };
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(422);
    await expectNothingChanged();
  });

  it("answers 422 to an order with no currency anywhere", async () => {
    const order = { id: 6_100_003, customer: { id: 6_200_003 }, line_items: [{ id: 1, quantity: 1, price: "30.00" }] };
    expect((await deliverWebhook("orders/paid", order)).status).toBe(422);
    await expectNothingChanged();
  });

  it("answers 422 to amounts that are each in range but add up past the largest amount", async () => {
    // 999,999,999,999.99 is accepted as a price; a million of them is not an order.
    const huge = orderPayload({ id: 6_100_004, customer: { id: 6_200_004 }, lines: [{ price: "999999999999.99", quantity: 1_000_000 }] });
    const answer = await deliverWebhook("orders/paid", huge);
    expect(answer.status).toBe(422);
    expect(await answer.json()).toMatchObject({ error: { code: "invalid_payload" } });
    const refundLine = { line_item_id: 1, quantity: 1, subtotal: "999999999999.99" };
    const refund = { id: 6_300_003, order_id: 6_100_001, refund_line_items: [refundLine, { ...refundLine, line_item_id: 2 }] };
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(422);
    await expectNothingChanged();
  });

  it("answers 422 to a JSON array or a bare value", async () => {
    expect((await deliverWebhook("orders/paid", [validOrder])).status).toBe(422);
    expect((await deliverWebhook("orders/paid", 42)).status).toBe(422);
    await expectNothingChanged();
  });
});

describe("routing", () => {
  it("answers 400 when the topic header does not match the route", async () => {
    const response = await deliverWebhook("orders/create", withChange(() => {}), { uri: webhookUri("orders/paid") });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "wrong_topic" } });
    await expectNothingChanged();
  });

  it("answers 400 to a shop domain that is not a myshopify.com domain", async () => {
    const response = await deliverWebhook("orders/paid", withChange(() => {}), { shop: "evil.example.com" });
    expect(response.status).toBe(400);
    await expectNothingChanged();
  });

  it("answers 405 to anything but POST", async () => {
    const uri = webhookUri("orders/paid");
    const headers = webhookHeaders("orders/paid", "{}");
    const response = await sendToAction(uri, new Request(new URL(uri, APP_URL), { method: "PUT", headers, body: "{}" }));
    expect(response.status).toBe(405);
  });

  it("answers GET, HEAD and OPTIONS, which Remix sends to a loader, with 405 as well", async () => {
    for (const uri of [webhookUri("orders/paid"), webhookUri("customers/redact"), webhookUri("app/uninstalled")]) {
      const { loader } = await routeModule(uri);
      const response = await loader!({ request: new Request(new URL(uri, APP_URL)), params: {}, context: {} } as never);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(await response.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    }
  });
});

// The action itself caps the body: in development no server.js stands in front of it.
describe("body size", () => {
  const MiB = 1024 * 1024;
  const uri = webhookUri("orders/paid");

  /** A body streamed in 1 MiB chunks (no Content-Length), counting how much was pulled from it. */
  function streamedBody(totalMiB: number) {
    const pulled = { bytes: 0 };
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === totalMiB) return controller.close();
        sent++;
        pulled.bytes += MiB;
        controller.enqueue(new Uint8Array(MiB).fill(0x20));
      },
    }, { highWaterMark: 0 });
    return { body, pulled };
  }

  it("answers 413 once a streamed body passes 10 MiB, and reads no further", async () => {
    const { body, pulled } = streamedBody(64);
    const headers = webhookHeaders("orders/paid", "");
    const request = new Request(new URL(uri, APP_URL), { method: "POST", headers, body, duplex: "half" } as RequestInit);
    const response = await sendToAction(uri, request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
    expect(pulled.bytes).toBeLessThanOrEqual(12 * MiB);
    await expectNothingChanged();
  });

  it("answers 413 to a declared Content-Length over 10 MiB without reading the body", async () => {
    const { body, pulled } = streamedBody(64);
    const headers = { ...webhookHeaders("orders/paid", ""), "Content-Length": String(11 * MiB) };
    const request = new Request(new URL(uri, APP_URL), { method: "POST", headers, body, duplex: "half" } as RequestInit);
    expect(request.headers.get("Content-Length")).toBe(String(11 * MiB));
    const response = await sendToAction(uri, request);
    expect(response.status).toBe(413);
    expect(pulled.bytes).toBe(0);
  });

  it("still takes a body just under the limit", async () => {
    const payload = withChange(() => {}) as Record<string, unknown>;
    const compact = JSON.stringify(payload);
    // Whitespace is valid JSON and counts toward the size.
    const rawBody = compact.replace(/}$/, `${" ".repeat(10 * MiB - compact.length)}}`);
    expect(rawBody.length).toBe(10 * MiB);
    const response = await deliverWebhook("orders/paid", null, { rawBody });
    expect(response.status).toBe(200);
  });
});
