// Shopify delivers at least once and in parallel. Concurrent deliveries must end exact: the
// database's unique keys and row locks carry correctness, not in-process locks.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { balanceOf, balancesMatchLedger, ledgerOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

describe("concurrent deliveries", () => {
  it("credits once for 50 parallel deliveries of one webhook, and exactly for 50 distinct orders", async () => {
    const customer = 9_100_001;
    const duplicated = orderPayload({ id: 9_200_000, customer: { id: customer }, lines: [{ price: "10.00" }] });
    const distinct = Array.from({ length: 50 }, (_, i) =>
      orderPayload({ id: 9_200_001 + i, customer: { id: customer }, lines: [{ price: `${i + 1}.00` }] }),
    );
    const responses = await Promise.all([
      ...Array.from({ length: 50 }, () => deliverWebhook("orders/paid", duplicated)),
      ...distinct.map((payload) => deliverWebhook("orders/paid", payload)),
    ]);
    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));
    // 10 + (1 + 2 + … + 50)
    expect(await balanceOf(db, customer)).toBe(10 + 1_275);
    expect(await ledgerOf(db, customer)).toHaveLength(51);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("ends exact when a refund, a cancellation and duplicates of each race the payment", async () => {
    const customer = 9_100_002;
    const order = { id: 9_300_001, customer: { id: customer }, lines: [{ price: "60.00" }, { price: "40.00" }] };
    const refund = refundPayload({ id: 9_300_101, orderId: order.id, lines: [{ line: 1, quantity: 1, subtotal: "40.00" }] });
    const deliveries = [
      ...Array.from({ length: 10 }, () => deliverWebhook("orders/paid", orderPayload(order))),
      ...Array.from({ length: 10 }, () => deliverWebhook("refunds/create", refund)),
    ];
    expect((await Promise.all(deliveries)).every((response) => response.status === 200)).toBe(true);
    expect(await balanceOf(db, customer)).toBe(60);
    const cancel = orderPayload({ ...order, cancelledAt: "2026-11-22T10:00:00-05:00", updatedAt: "2026-11-22T10:00:00-05:00" });
    await Promise.all(Array.from({ length: 10 }, () => deliverWebhook("orders/cancelled", cancel)));
    expect(await balanceOf(db, customer)).toBe(0);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("enrols a new customer once when their first orders arrive together", async () => {
    const customer = 9_100_003;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => deliverWebhook("orders/paid", orderPayload({ id: 9_400_001 + i, customer: { id: customer }, lines: [{ price: "5.00" }] }))),
    );
    expect(await db.member.count({ where: { customerId: BigInt(customer) } })).toBe(1);
    expect(await balanceOf(db, customer)).toBe(100);
  });
});
