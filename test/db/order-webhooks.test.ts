// orders/paid, refunds/create, orders/cancelled, orders/updated through the real routes, signed
// like Shopify's, into a real database (SQLite and PostgreSQL projects).
import { createHmac } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { balanceOf, balancesMatchLedger, ledgerOf, memberOf, rowCounts } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_API_SECRET, TEST_SHOP } from "../../dev/simulator/shopify-signing";

let nextId = 1;
function ids() {
  const base = nextId++ * 1_000;
  return { orderId: 5_000_000 + base, customerId: 9_000_000 + base };
}

beforeEach(async () => {
  expect(await balancesMatchLedger(db)).toEqual([]);
});

describe("orders/paid", () => {
  it("credits 1 point per 1.00 spent on products after discounts; shipping, tips and gift cards earn nothing", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({
      id: orderId,
      customer: { id: customerId },
      lines: [
        { price: "25.00", quantity: 2, discount: "5.00" },
        { price: "19.99" },
        { price: "50.00", giftCard: true },
      ],
      shipping: "12.00",
      tip: "4.00",
    });
    const response = await deliverWebhook("orders/paid", payload);
    expect(response.status).toBe(200);
    // 50.00 − 5.00 + 19.99 = 64.99 → 64 points
    expect(await balanceOf(db, customerId)).toBe(64);
    expect(await ledgerOf(db, customerId)).toEqual([{ kind: "earn", delta: 64, key: `order:${orderId}:earn` }]);
  });

  it("takes no points for a tip, which Shopify sends as a line of its own, and takes none back when it is refunded", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "20.00" }], tip: "50.00" });
    expect(payload.line_items).toHaveLength(2);
    expect((await deliverWebhook("orders/paid", payload)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(20);
    const tipRefund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 1, quantity: 1, subtotal: "50.00", tip: true }] });
    expect((await deliverWebhook("refunds/create", tipRefund)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(20);
    const productRefund = refundPayload({ id: orderId + 2, orderId, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] });
    expect((await deliverWebhook("refunds/create", productRefund)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(0);
  });

  it("uses shop money, never presentment money, and takes included tax out", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({
      id: orderId,
      customer: { id: customerId },
      lines: [{ price: "113.00", tax: "13.00" }],
      taxesIncluded: true,
    });
    expect(payload.line_items[0].price_set.presentment_money.currency_code).toBe("CAD");
    expect((await deliverWebhook("orders/paid", payload)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(100);
  });

  it("counts in the shop currency's own minor unit", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "1500" }], currency: "JPY" });
    expect((await deliverWebhook("orders/paid", payload)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(1_500);
  });

  it("reads the plain shop-currency amounts of a lean payload that lacks the *_set objects", async () => {
    const { orderId, customerId } = ids();
    const lean = {
      id: orderId,
      currency: "USD",
      customer: { id: customerId },
      line_items: [
        { id: orderId + 1, quantity: 2, price: "15.00", gift_card: false, discount_allocations: [{ amount: "5.00" }], tax_lines: [] },
        { id: orderId + 2, quantity: 1, price: "25.00", gift_card: true },
      ],
    };
    expect((await deliverWebhook("orders/paid", lean)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(25);
  });

  it("checks the HMAC over the bytes sent: a body that starts with a byte order mark is taken, one changed after signing is not", async () => {
    const { orderId, customerId } = ids();
    const rawBody = `\uFEFF${JSON.stringify(orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "42.00" }] }))}`;
    // Signed over the text without its mark: not the bytes Shopify would have signed.
    const signedWithoutMark = await deliverWebhook("orders/paid", null, { rawBody, hmac: createHmac("sha256", TEST_API_SECRET).update(rawBody.slice(1)).digest("base64") });
    expect(signedWithoutMark.status).toBe(401);
    expect(await memberOf(db, customerId)).toBeNull();
    expect((await deliverWebhook("orders/paid", null, { rawBody })).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(42);
  });

  it("answers 200 to a duplicate delivery and credits once", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "40.00" }] });
    const first = await deliverWebhook("orders/paid", payload, { webhookId: "same-delivery" });
    const retry = await deliverWebhook("orders/paid", payload, { webhookId: "same-delivery" });
    const redelivery = await deliverWebhook("orders/paid", payload);
    expect([first.status, retry.status, redelivery.status]).toEqual([200, 200, 200]);
    expect(await balanceOf(db, customerId)).toBe(40);
    expect(await ledgerOf(db, customerId)).toHaveLength(1);
  });

  it("answers 200 to a guest order and changes nothing", async () => {
    const { orderId } = ids();
    const before = await rowCounts(db);
    const response = await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: null, lines: [{ price: "80.00" }] }));
    expect(response.status).toBe(200);
    const after = await rowCounts(db);
    expect(after.members).toBe(before.members);
    expect(after.ledger).toBe(before.ledger);
  });

  it("enrols a customer seen for the first time and gives a new shop the default program", async () => {
    const shop = "brand-new-shop.myshopify.com";
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, customer: { id: customerId, email: "new@example.com" }, lines: [{ price: "10.00" }] });
    expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    const row = await db.shop.findUniqueOrThrow({ where: { domain: shop }, include: { rewards: true } });
    expect(JSON.parse(row.program)).toMatchObject({ earning: { points: 1, perMajorUnits: 1 }, pendingDays: 0, expiryDays: null });
    expect(row.currency).toBe("USD");
    expect(row.rewards.map((r) => ({ cost: r.costPoints, amount: r.amountMinor }))).toEqual([{ cost: 500, amount: 500 }]);
    const member = await memberOf(db, customerId, shop);
    expect(member).toMatchObject({ email: "new@example.com", balance: 10n });
    expect(member!.referralCode).toMatch(/^[A-Z2-9]{8}$/);
  });
});

describe("currency minor units (ISO 4217)", () => {
  // Intl displays forints without decimals; ISO 4217 gives HUF two, and Shopify sends them.
  const shop = "forint-shop.myshopify.com";

  it("reads HUF at two decimals and floors once: 2490.00 with 529.38 tax included earns 1960", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, currency: "HUF", customer: { id: customerId }, taxesIncluded: true, lines: [{ price: "2490.00", tax: "529.38" }] });
    expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    // floor(2490.00 − 529.38) = floor(1960.62), not 2490 − 529 = 1961
    expect(await balanceOf(db, customerId, shop)).toBe(1960);
  });

  it("keeps a HUF discount under one forint", async () => {
    const { orderId, customerId } = ids();
    const payload = orderPayload({ id: orderId, currency: "HUF", customer: { id: customerId }, lines: [{ price: "1000.00", discount: "0.50" }] });
    expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    expect(await balanceOf(db, customerId, shop)).toBe(999);
  });

  it("keeps digits beyond the currency's exponent exact instead of dropping them or refusing the order", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "10.00", discount: "0.005" }, { price: "5.00" }] };
    expect((await deliverWebhook("orders/paid", orderPayload(order))).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(14); // 14.995
    const refund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 1, quantity: 1, subtotal: "0.0051" }] });
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(14); // 14.9899
    const second = refundPayload({ id: orderId + 2, orderId, lines: [{ line: 1, quantity: 1, subtotal: "2.99" }] });
    expect((await deliverWebhook("refunds/create", second)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(11); // 11.9999: any digit dropped would give 12
  });
});

describe("VIP tiers", () => {
  it("multiplies what an order earns by the member's tier when it is paid", async () => {
    const shop = "tiered-shop.myshopify.com";
    const { orderId, customerId } = ids();
    await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "100.00" }] }), { shop });
    await db.tier.create({ data: { shopDomain: shop, name: "Gold", thresholdPoints: 100, multiplierPercent: 150 } });
    await deliverWebhook("orders/paid", orderPayload({ id: orderId + 1, customer: { id: customerId }, lines: [{ price: "100.00" }] }), { shop });
    expect(await balanceOf(db, customerId, shop)).toBe(100 + 150);
  });
});

describe("refunds/create", () => {
  it("deducts in proportion to the eligible amount refunded; shipping refunds earn nothing back", async () => {
    const { orderId, customerId } = ids();
    await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "60.00" }, { price: "40.00" }] }));
    const refund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 1, quantity: 1, subtotal: "40.00" }], shipping: "7.50" });
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(60);
    expect(await ledgerOf(db, customerId)).toEqual([
      { kind: "earn", delta: 100, key: `order:${orderId}:earn` },
      { kind: "refund_reversal", delta: -40, key: `refund:${orderId + 1}` },
    ]);
    // the same refund again changes nothing
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(60);
  });

  // A lean refund's plain amounts are shop money, read against the order; its transactions are in
  // presentment money (here the customer paid in yen), which never sets how they are read.
  it.each([
    ["the shop's currency", { amount: "40.00", currency: "USD" }],
    ["another (presentment) currency", { amount: "6000", currency: "JPY" }],
  ])("reads a refund's plain amounts when the *_set objects are missing, with transactions in %s", async (_, transaction) => {
    const { orderId, customerId } = ids();
    await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "60.00" }, { price: "40.00" }] }));
    const lean = {
      id: orderId + 1,
      order_id: orderId,
      refund_line_items: [{ line_item_id: orderId * 100 + 2, quantity: 1, subtotal: 40, total_tax: 0 }],
      transactions: [{ id: 1, kind: "refund", ...transaction }],
    };
    expect((await deliverWebhook("refunds/create", lean)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(60);
  });

  it("holds a refund that arrives before its order and applies it when the order is paid", async () => {
    const { orderId, customerId } = ids();
    const refund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 0, quantity: 1, subtotal: "30.00" }] });
    expect((await deliverWebhook("refunds/create", refund)).status).toBe(200);
    expect(await memberOf(db, customerId)).toBeNull();
    await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "30.00" }, { price: "70.00" }] }));
    expect(await balanceOf(db, customerId)).toBe(70);
  });

  it("ignores gift card lines and refunded tax on tax-inclusive orders", async () => {
    const { orderId, customerId } = ids();
    await deliverWebhook(
      "orders/paid",
      orderPayload({ id: orderId, customer: { id: customerId }, taxesIncluded: true, lines: [{ price: "113.00", tax: "13.00" }, { price: "25.00", giftCard: true }] }),
    );
    const refund = refundPayload({
      id: orderId + 1,
      orderId,
      lines: [
        { line: 0, quantity: 1, subtotal: "56.50", tax: "6.50" },
        { line: 1, quantity: 1, subtotal: "25.00", giftCard: true },
      ],
    });
    await deliverWebhook("refunds/create", refund);
    expect(await balanceOf(db, customerId)).toBe(50);
  });
});

describe("orders/cancelled", () => {
  it("reverses what the order still holds, and a later refund takes nothing more", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "50.00" }, { price: "50.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    await deliverWebhook("refunds/create", refundPayload({ id: orderId + 1, orderId, lines: [{ line: 0, quantity: 1, subtotal: "50.00" }] }));
    const cancel = orderPayload({ ...order, cancelledAt: "2026-11-22T09:00:00-05:00", updatedAt: "2026-11-22T09:00:00-05:00" });
    expect((await deliverWebhook("orders/cancelled", cancel)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(0);
    await deliverWebhook("refunds/create", refundPayload({ id: orderId + 2, orderId, lines: [{ line: 1, quantity: 1, subtotal: "50.00" }] }));
    expect(await balanceOf(db, customerId)).toBe(0);
    expect((await ledgerOf(db, customerId)).map((entry) => entry.kind)).toEqual(["earn", "refund_reversal", "cancel_reversal"]);
  });

  it("gives nothing when the cancellation arrives before the payment", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "50.00" }] };
    await deliverWebhook("orders/cancelled", orderPayload({ ...order, cancelledAt: "2026-11-22T09:00:00-05:00", updatedAt: "2026-11-22T09:00:00-05:00" }));
    await deliverWebhook("orders/paid", orderPayload(order));
    expect(await balanceOf(db, customerId)).toBe(0);
  });
});

describe("orders/updated (edits)", () => {
  it("adjusts to the new eligible amount when an edit removes a unit", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "20.00", quantity: 3 }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    const edit = orderPayload({ ...order, lines: [{ price: "20.00", quantity: 3, currentQuantity: 2 }], updatedAt: "2026-11-21T08:00:00-05:00" });
    expect((await deliverWebhook("orders/updated", edit)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(40);
    expect((await ledgerOf(db, customerId)).at(-1)).toMatchObject({ kind: "order_edit", delta: -20 });
  });

  it("does not count a refund twice when the updated order already shows it", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "20.00", quantity: 3 }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    const refund = refundPayload({ id: orderId + 1, orderId, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] });
    await deliverWebhook("refunds/create", refund);
    const afterRefund = orderPayload({
      ...order,
      lines: [{ price: "20.00", quantity: 3, currentQuantity: 2 }],
      refunds: [refund],
      updatedAt: "2026-11-21T12:00:01-05:00",
      financialStatus: "partially_refunded",
    });
    await deliverWebhook("orders/updated", afterRefund);
    expect(await balanceOf(db, customerId)).toBe(40);
  });

  it("ends the same whichever of two versions with the same updated_at arrives first, without failing a retry", async () => {
    const results: number[] = [];
    for (const order of [[1, 2], [2, 1]]) {
      const { orderId, customerId } = ids();
      const base = { id: orderId, customer: { id: customerId }, lines: [{ price: "10.00", quantity: 3 }] };
      await deliverWebhook("orders/paid", orderPayload(base));
      for (const current of order) {
        const version = orderPayload({ ...base, lines: [{ price: "10.00", quantity: 3, currentQuantity: current }], updatedAt: "2026-11-22T09:30:00-05:00" });
        expect((await deliverWebhook("orders/updated", version)).status).toBe(200);
        expect((await deliverWebhook("orders/updated", version)).status).toBe(200);
      }
      results.push((await balanceOf(db, customerId))!);
    }
    expect(results).toEqual([20, 20]);
  });

  it("records a cancellation reported first by orders/updated as the cancellation it is", async () => {
    const { orderId, customerId } = ids();
    const order = { id: orderId, customer: { id: customerId }, lines: [{ price: "45.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    const cancelled = { ...order, cancelledAt: "2026-11-22T09:00:00-05:00", updatedAt: "2026-11-22T09:00:00-05:00" };
    await deliverWebhook("orders/updated", orderPayload(cancelled));
    await deliverWebhook("orders/cancelled", orderPayload(cancelled));
    expect(await ledgerOf(db, customerId)).toEqual([
      { kind: "earn", delta: 45, key: `order:${orderId}:earn` },
      { kind: "cancel_reversal", delta: -45, key: `order:${orderId}:cancel` },
    ]);
  });

  it("credits nothing for an order that was never paid", async () => {
    const { orderId, customerId } = ids();
    const pending = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "99.00" }], financialStatus: "pending" });
    expect((await deliverWebhook("orders/updated", pending)).status).toBe(200);
    expect(await balanceOf(db, customerId)).toBe(0);
  });
});

describe("orders/updated (a change of customer)", () => {
  const nobodyNegative = async () => (await db.member.count({ where: { balance: { lt: 0 } } })) === 0;

  it("moves the order's points to its new customer, and a later refund settles with the new one", async () => {
    const { orderId, customerId: ada } = ids();
    const bob = ada + 1;
    const order = { id: orderId, customer: { id: ada }, lines: [{ price: "60.00" }, { price: "40.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    expect(await balanceOf(db, ada)).toBe(100);
    const adaBefore = (await memberOf(db, ada))!.summaryVersion;

    const reassigned = orderPayload({ ...order, customer: { id: bob, firstName: "Bob" }, updatedAt: "2026-11-21T09:00:00-05:00" });
    expect((await deliverWebhook("orders/updated", reassigned)).status).toBe(200);
    expect(await balanceOf(db, ada)).toBe(0);
    expect(await balanceOf(db, bob)).toBe(100);
    // Both storefront summaries are stale now.
    expect((await memberOf(db, ada))!.summaryVersion).toBeGreaterThan(adaBefore);
    expect((await memberOf(db, bob))!.summaryVersion).toBeGreaterThan(0);

    await deliverWebhook("refunds/create", refundPayload({ id: orderId + 1, orderId, lines: [{ line: 1, quantity: 1, subtotal: "40.00" }] }));
    expect(await balanceOf(db, ada)).toBe(0);
    expect(await balanceOf(db, bob)).toBe(60);
    expect(await nobodyNegative()).toBe(true);

    const ledger = [...(await ledgerOf(db, ada)), ...(await ledgerOf(db, bob))];
    expect(ledger).toEqual([
      { kind: "earn", delta: 100, key: `order:${orderId}:earn` },
      { kind: "order_move", delta: -100, key: expect.stringMatching(new RegExp(`^order:${orderId}:move:\\d+:out$`)) },
      { kind: "order_move", delta: 100, key: expect.stringMatching(new RegExp(`^order:${orderId}:move:\\d+:in$`)) },
      { kind: "refund_reversal", delta: -40, key: `refund:${orderId + 1}` },
    ]);

    // Duplicates of every delivery change nothing; a cancellation settles with the holder.
    await deliverWebhook("orders/paid", orderPayload(order));
    await deliverWebhook("orders/updated", reassigned);
    expect([await balanceOf(db, ada), await balanceOf(db, bob)]).toEqual([0, 60]);
    const cancelled = orderPayload({ ...order, customer: { id: bob }, cancelledAt: "2026-11-22T09:00:00-05:00", updatedAt: "2026-11-22T09:00:00-05:00" });
    await deliverWebhook("orders/cancelled", cancelled);
    expect([await balanceOf(db, ada), await balanceOf(db, bob)]).toEqual([0, 0]);
    expect(await nobodyNegative()).toBe(true);
  });

  it("ends the same when the older version, naming the first customer, arrives last", async () => {
    const { orderId, customerId: ada } = ids();
    const bob = ada + 1;
    const order = { id: orderId, customer: { id: ada }, lines: [{ price: "60.00" }, { price: "40.00" }] };
    await deliverWebhook("orders/updated", orderPayload({ ...order, customer: { id: bob }, updatedAt: "2026-11-21T09:00:00-05:00" }));
    await deliverWebhook("refunds/create", refundPayload({ id: orderId + 1, orderId, lines: [{ line: 1, quantity: 1, subtotal: "40.00" }] }));
    await deliverWebhook("orders/paid", orderPayload(order));
    expect(await balanceOf(db, ada)).toBe(0);
    expect(await balanceOf(db, bob)).toBe(60);
    expect(await ledgerOf(db, ada)).toEqual([]);
    expect(await nobodyNegative()).toBe(true);
  });

  it("keeps the customer when a newer version names none", async () => {
    const { orderId, customerId: ada } = ids();
    const order = { id: orderId, customer: { id: ada }, lines: [{ price: "30.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order));
    await deliverWebhook("orders/updated", orderPayload({ ...order, customer: null, updatedAt: "2026-11-21T09:00:00-05:00" }));
    expect(await balanceOf(db, ada)).toBe(30);
  });
});

it("keeps every balance equal to the sum of its ledger entries", async () => {
  expect(await balancesMatchLedger(db)).toEqual([]);
  expect(await db.shop.count({ where: { domain: TEST_SHOP } })).toBe(1);
});
