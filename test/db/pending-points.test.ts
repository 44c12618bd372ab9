// Pending points through the real webhooks and the release job: an order's points wait for the
// shop's pending period after processed_at, a refund in the period takes from pending, and the
// release moves what is left to the balance exactly once.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import { PENDING_RELEASE } from "~/jobs/pending-jobs.server";
import { dueReleases, releasePendingPoints } from "~/loyalty/pending-points.server";
import { runDueJobs } from "../support/jobs";
import { balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "pending-points-shop.myshopify.com";
const DAY = 86_400_000;

async function usePendingDays(days: number) {
  await deliverWebhook("customers/create", { id: 4_700_999, email: "setup@example.com" }, { shop: SHOP });
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
  await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...JSON.parse(shop.program), pendingDays: days }) } });
}

function placedOrder(id: number, customerId: number, price: string, placedAt: Date) {
  const at = placedAt.toISOString();
  return { ...orderPayload({ id, customer: { id: customerId }, lines: [{ price }], updatedAt: at }), processed_at: at, created_at: at };
}

async function pointsOf(customerId: number) {
  const member = await memberOf(db, customerId, SHOP);
  return { balance: Number(member!.balance), pending: Number(member!.pendingBalance) };
}

async function releaseDueBy(at: Date) {
  const moved = [];
  for (const order of await dueReleases(db, at, 100)) moved.push(await releasePendingPoints(db, order, at));
  return moved;
}

describe("pending points", () => {
  it("hold an order's points for the period, take a refund from pending, and release the rest once", async () => {
    await usePendingDays(14);
    const customer = 4_700_001;
    const placedAt = new Date(Date.now() - DAY);
    await deliverWebhook("orders/paid", placedOrder(4_710_001, customer, "100.00", placedAt), { shop: SHOP });
    expect(await pointsOf(customer)).toEqual({ balance: 0, pending: 100 });
    const snapshot = await db.orderSnapshot.findUniqueOrThrow({ where: { shopDomain_orderId: { shopDomain: SHOP, orderId: 4_710_001n } } });
    expect(snapshot.pendingUntil?.getTime()).toBe(placedAt.getTime() + 14 * DAY);

    // A refund within the period takes from pending; a repeated delivery changes nothing.
    const refund = refundPayload({ id: 4_720_001, orderId: 4_710_001, lines: [{ line: 0, quantity: 1, subtotal: "40.00" }] });
    await deliverWebhook("refunds/create", refund, { shop: SHOP });
    await deliverWebhook("refunds/create", refund, { shop: SHOP });
    expect(await pointsOf(customer)).toEqual({ balance: 0, pending: 60 });

    // Not due yet: nothing moves.
    expect(await releaseDueBy(new Date())).toEqual([]);
    expect(await pointsOf(customer)).toEqual({ balance: 0, pending: 60 });

    // Once the period is over the release moves what is left, once.
    const after = new Date(placedAt.getTime() + 14 * DAY + 1);
    expect(await releaseDueBy(after)).toEqual([60]);
    expect(await releasePendingPoints(db, { shopDomain: SHOP, orderId: 4_710_001n }, after)).toBe(0);
    expect(await pointsOf(customer)).toEqual({ balance: 60, pending: 0 });

    // A refund after the release takes from the balance.
    await deliverWebhook("refunds/create", refundPayload({ id: 4_720_002, orderId: 4_710_001, lines: [{ line: 0, quantity: 1, subtotal: "10.00" }] }), { shop: SHOP });
    expect(await pointsOf(customer)).toEqual({ balance: 50, pending: 0 });
    const ledger = await ledgerOf(db, customer, SHOP);
    expect(ledger.map((entry) => [entry.kind, entry.delta])).toEqual([
      ["earn", 100],
      ["refund_reversal", -40],
      ["pending_release", -60],
      ["pending_release", 60],
      ["refund_reversal", -10],
    ]);
    const member = await memberOf(db, customer, SHOP);
    const statuses = await db.ledgerEntry.findMany({ where: { memberId: member!.id }, orderBy: { id: "asc" }, select: { status: true } });
    expect(statuses.map((entry) => entry.status)).toEqual(["pending", "pending", "pending", "available", "available"]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("credits an order whose period is already over when it first arrives at once", async () => {
    await usePendingDays(14);
    const customer = 4_700_002;
    await deliverWebhook("orders/paid", placedOrder(4_710_002, customer, "30.00", new Date(Date.now() - 20 * DAY)), { shop: SHOP });
    expect(await pointsOf(customer)).toEqual({ balance: 30, pending: 0 });
  });

  it("releases through the recurring job, and a cancellation in the period leaves nothing to release", async () => {
    await usePendingDays(7);
    const customer = 4_700_003;
    const placedAt = new Date(Date.now() - DAY);
    await deliverWebhook("orders/paid", placedOrder(4_710_003, customer, "25.00", placedAt), { shop: SHOP });
    await deliverWebhook("orders/paid", placedOrder(4_710_004, customer, "80.00", placedAt), { shop: SHOP });
    const cancelled = { ...placedOrder(4_710_004, customer, "80.00", placedAt), cancelled_at: new Date().toISOString(), updated_at: new Date().toISOString() };
    await deliverWebhook("orders/cancelled", cancelled, { shop: SHOP });
    expect(await pointsOf(customer)).toEqual({ balance: 0, pending: 25 });

    // The period ends (the clock is the stored pendingUntil's).
    await db.orderSnapshot.updateMany({ where: { shopDomain: SHOP, orderId: { in: [4_710_003n, 4_710_004n] } }, data: { pendingUntil: new Date(Date.now() - 1000) } });
    await requestJob(db, { key: PENDING_RELEASE.key, name: PENDING_RELEASE.name });
    await runDueJobs(db);
    expect(await pointsOf(customer)).toEqual({ balance: 25, pending: 0 });
    await requestJob(db, { key: PENDING_RELEASE.key, name: PENDING_RELEASE.name });
    await runDueJobs(db);
    expect(await pointsOf(customer)).toEqual({ balance: 25, pending: 0 });
    expect(await db.orderSnapshot.count({ where: { shopDomain: SHOP, pendingReleased: false, pendingUntil: { not: null } } })).toBe(0);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("keeps balance and pending exact when a refund races the release", async () => {
    await usePendingDays(14);
    const customer = 4_700_004;
    const placedAt = new Date(Date.now() - DAY);
    await deliverWebhook("orders/paid", placedOrder(4_710_005, customer, "90.00", placedAt), { shop: SHOP });
    const after = new Date(placedAt.getTime() + 14 * DAY + 1);
    await Promise.all([
      releaseDueBy(after),
      deliverWebhook("refunds/create", refundPayload({ id: 4_720_005, orderId: 4_710_005, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }), { shop: SHOP }),
    ]);
    // Whichever came first, the member ends with 70 available and nothing pending.
    const points = await pointsOf(customer);
    expect(points.balance + points.pending).toBe(70);
    expect(await balancesMatchLedger(db)).toEqual([]);
    await releaseDueBy(after);
    expect(await pointsOf(customer)).toEqual({ balance: 70, pending: 0 });
  });
});
