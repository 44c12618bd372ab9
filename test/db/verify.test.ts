// `verify` against a real database: green on everything the app writes (orders with refunds,
// edits, cancellations and changes of customer, redemptions issued, refused, expired and used
// after expiring), and red, naming the row, for each kind of damage done behind the app's back.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import type { OrderVersion } from "~/loyalty/order";
import { expireCode, failRedemption, isRedeemRefusal, markCodesUsed, markIssued, returnPointsForCancelledOrder, startRedemption } from "~/loyalty/redemptions.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { sql } from "~/sql.server";

const SHOP = "verify-shop.myshopify.com";
const OTHER_SHOP = "verify-other.myshopify.com";
let nextOrder = 820_982_911_946_154_508n;
let nextCustomer = 115_310_627_314_723_954n;

function version(orderId: bigint, customerId: bigint | null, eligibleMinor: number, at: number, cancelled = false): OrderVersion {
  return { orderId, customerId, currency: "USD", updatedAt: at * 1000, taxesIncluded: false, cancelled, eligibleMinor, amountExponent: 2 };
}

const deliver = (delivery: OrderDelivery, shop = SHOP) => recordOrderEvent(db, sql(), shop, delivery, "test");

/** A member with an order worth `dollars` points; returns the customer and order ids. */
async function paidOrder(dollars: number, shop = SHOP): Promise<{ customerId: bigint; orderId: bigint }> {
  const customerId = nextCustomer++;
  const orderId = nextOrder++;
  await deliver({ kind: "paid", order: version(orderId, customerId, dollars * 100, 1) }, shop);
  return { customerId, orderId };
}

async function memberId(customerId: bigint, shop = SHOP): Promise<number> {
  return (await db.member.findUniqueOrThrow({ where: { shopDomain_customerId: { shopDomain: shop, customerId } } })).id;
}

/** Every way an order's points change: refund, edit, customer change, cancellation. */
async function busyShop(shop = SHOP) {
  const a = await paidOrder(2000, shop);
  await deliver({ kind: "refund", refund: { refundId: a.orderId + 1n, orderId: a.orderId, subtotalMinor: 19_99, taxMinor: 0, amountExponent: 2 }, currency: "USD" }, shop);
  await deliver({ kind: "updated", order: version(a.orderId, a.customerId, 1800_00, 5) }, shop);
  const b = await paidOrder(300, shop);
  const newCustomer = nextCustomer++;
  await deliver({ kind: "updated", order: version(b.orderId, newCustomer, 300_00, 3) }, shop);
  await deliver({ kind: "refund", refund: { refundId: b.orderId + 1n, orderId: b.orderId, subtotalMinor: 50_00, taxMinor: 0, amountExponent: 2 }, currency: "USD" }, shop);
  const c = await paidOrder(120, shop);
  await deliver({ kind: "cancelled", order: version(c.orderId, c.customerId, 120_00, 4, true) }, shop);
  // A refund that arrives before its order.
  const lateOrder = nextOrder++;
  await deliver({ kind: "refund", refund: { refundId: lateOrder + 1n, orderId: lateOrder, subtotalMinor: 10_00, taxMinor: 0, amountExponent: 2 }, currency: "USD" }, shop);
  await deliver({ kind: "paid", order: version(lateOrder, a.customerId, 80_00, 2) }, shop);
  return { a, b, c, newCustomer };
}

async function redeemDefaultReward(customerId: bigint, shop = SHOP) {
  const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, costPoints: 500 } });
  const started = await startRedemption(db, sql(), { shopDomain: shop, customerId, rewardId: reward.id, points: undefined, actor: "test" });
  if (isRedeemRefusal(started)) throw new Error(started.message);
  return { ...started.redemption, customerId };
}

beforeEach(async () => {
  await db.shop.deleteMany({ where: { domain: { in: [SHOP, OTHER_SHOP] } } });
});

describe("verify", () => {
  it("agrees with everything the app writes: refunds, edits, moves, cancellations, redemptions", async () => {
    const { a } = await busyShop();
    const issued = await redeemDefaultReward(a.customerId);
    await markIssued(sql(), issued, { shopifyDiscountId: "gid://shopify/DiscountCodeNode/1" });
    const refused = await redeemDefaultReward(a.customerId);
    await failRedemption(db, refused.id, "test", "Shopify said no");
    // Expired unused (points back), then used by an order begun before it expired (spent again).
    const expired = await redeemDefaultReward(a.customerId);
    await markIssued(sql(), expired, {});
    await expireCode(db, expired.id, true, "test");
    await markCodesUsed(db, SHOP, nextOrder++, [expired.code!], "test");

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked).toMatchObject({ shops: 1, members: 4, orders: 4, redemptions: 3 });
    expect(report.checked.entries).toBeGreaterThan(10);
  });

  it("catches a balance changed behind the app's back, and names the member", async () => {
    const { a } = await busyShop();
    await busyShop(OTHER_SHOP);
    await db.member.update({ where: { id: await memberId(a.customerId) }, data: { balance: { increment: 1000 } } });

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.ok).toBe(false);
    expect(report.counts).toEqual({ members: 1, orders: 0, redemptions: 0, duplicateKeys: 0 });
    expect(report.mismatches).toEqual([
      expect.objectContaining({ kind: "balance", shop: SHOP, customerId: String(a.customerId), expected: 1850, actual: 2850 }),
    ]);
    // The other shop is untouched; every shop at once finds the one mismatch.
    expect((await verifyLedger(db, { shop: OTHER_SHOP })).ok).toBe(true);
    expect((await verifyLedger(db)).counts.members).toBe(1);
  });

  it("catches a pending balance that its pending rows do not explain", async () => {
    const { a } = await paidOrder(10).then((order) => ({ a: order }));
    await db.member.update({ where: { id: await memberId(a.customerId) }, data: { pendingBalance: 7 } });
    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.mismatches).toEqual([expect.objectContaining({ kind: "pending_balance", expected: 0, actual: 7 })]);
  });

  it("catches a deleted ledger row: the balance, the member's orders and the order all disagree", async () => {
    const { a } = await busyShop();
    const row = await db.ledgerEntry.findFirstOrThrow({ where: { shopDomain: SHOP, idempotencyKey: `refund:${a.orderId + 1n}` } });
    await db.ledgerEntry.delete({ where: { id: row.id } });

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.ok).toBe(false);
    expect(report.counts).toMatchObject({ members: 1, orders: 1 });
    expect(report.mismatches.map((mismatch) => mismatch.kind).sort()).toEqual(["balance", "member_orders", "order"]);
    expect(report.mismatches.find((mismatch) => mismatch.kind === "order")).toMatchObject({ orderId: String(a.orderId), expected: 1780, actual: 1800 });
  });

  it("catches an order snapshot that disagrees with its ledger rows", async () => {
    const { b } = await busyShop();
    await db.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain: SHOP, orderId: b.orderId } }, data: { pointsCredited: 999 } });

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.counts).toMatchObject({ members: 1, orders: 1 });
    expect(report.mismatches).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "order", orderId: String(b.orderId), expected: 999, actual: 250 })]),
    );
  });

  it("catches points left with the order's previous customer", async () => {
    const { b } = await busyShop();
    // The move's debit on the old holder is lost (and the balance adjusted to hide it).
    const out = await db.ledgerEntry.findFirstOrThrow({ where: { shopDomain: SHOP, idempotencyKey: { startsWith: `order:${b.orderId}:move:` }, delta: { lt: 0 } } });
    await db.ledgerEntry.delete({ where: { id: out.id } });
    await db.member.update({ where: { id: out.memberId }, data: { balance: { decrement: out.delta } } });

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.counts.members).toBe(1); // the member-level order check
    expect(report.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "member_orders", memberId: out.memberId }),
        expect.objectContaining({ kind: "order", orderId: String(b.orderId), memberId: out.memberId, expected: 0, actual: 300 }),
      ]),
    );
  });

  it("catches a redemption without its ledger rows, and a return row it should not have", async () => {
    const { a } = await busyShop();
    const first = await redeemDefaultReward(a.customerId);
    const second = await redeemDefaultReward(a.customerId);
    await failRedemption(db, second.id, "test", "refused");
    // Returned as expired, used after all by an order, which was cancelled: returned twice.
    const third = await redeemDefaultReward(a.customerId);
    await markIssued(sql(), third, {});
    await expireCode(db, third.id, true, "test");
    await markCodesUsed(db, SHOP, nextOrder, [third.code!], "test");
    await returnPointsForCancelledOrder(db, SHOP, nextOrder++, [third.code!], "test");
    expect((await verifyLedger(db, { shop: SHOP })).mismatches).toEqual([]);
    await db.ledgerEntry.deleteMany({ where: { shopDomain: SHOP, idempotencyKey: `redemption:${first.id}:redeem` } });
    await db.redemption.update({ where: { id: second.id }, data: { pointsReturned: false } });
    await db.ledgerEntry.deleteMany({ where: { shopDomain: SHOP, idempotencyKey: `redemption:${third.id}:return:2` } });

    const report = await verifyLedger(db, { shop: SHOP });
    expect(report.counts.redemptions).toBe(3);
    expect(report.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "redemption", redemptionId: first.id, detail: expect.stringContaining("no redeem row") }),
        expect.objectContaining({ kind: "redemption", redemptionId: second.id, detail: expect.stringContaining("not marked returned") }),
        expect.objectContaining({ kind: "redemption", redemptionId: third.id, detail: expect.stringContaining("no second return row") }),
      ]),
    );
  });

  it("shows at most the detail limit, but counts every mismatch", async () => {
    for (let i = 0; i < 5; i++) {
      const { customerId } = await paidOrder(10);
      await db.member.update({ where: { id: await memberId(customerId) }, data: { balance: 0 } });
    }
    const report = await verifyLedger(db, { shop: SHOP, detailLimit: 2 });
    expect(report.counts.members).toBe(5);
    expect(report.mismatches.filter((mismatch) => mismatch.kind === "balance")).toHaveLength(2);
  });

  it("stays green on random lives of orders and redemptions, delivered reordered and duplicated", async () => {
    const life = fc.record({
      eligible: fc.integer({ min: 0, max: 200_000 }),
      customer: fc.nat(2),
      edit: fc.option(fc.record({ eligible: fc.integer({ min: 0, max: 200_000 }), customer: fc.option(fc.nat(2)) })),
      refunds: fc.array(fc.integer({ min: 0, max: 150_000 }), { maxLength: 2 }),
      cancel: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(life, { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom("issue", "fail", "expire", "respend", "respend-cancelled"), { maxLength: 3 }), fc.boolean(), async (orders, redemptions, parallel) => {
        const customers = [nextCustomer++, nextCustomer++, nextCustomer++];
        const all: OrderDelivery[] = [];
        for (const spec of orders) {
          const orderId = nextOrder++;
          const customerId = customers[spec.customer];
          all.push({ kind: "paid", order: version(orderId, customerId, spec.eligible, 1) });
          if (spec.edit) all.push({ kind: "updated", order: version(orderId, spec.edit.customer === null ? null : customers[spec.edit.customer], spec.edit.eligible, 3) });
          spec.refunds.forEach((subtotalMinor, i) =>
            all.push({ kind: "refund", refund: { refundId: orderId * 10n + BigInt(i), orderId, subtotalMinor, taxMinor: 0, amountExponent: 2 }, currency: "USD" }),
          );
          if (spec.cancel) all.push({ kind: "cancelled", order: version(orderId, customerId, spec.eligible, 4, true) });
        }
        const deliveries = [...all, ...all.filter((_, i) => i % 2 === 0)].reverse();
        if (parallel) await Promise.all(deliveries.map((delivery) => deliver(delivery)));
        else for (const delivery of deliveries) await deliver(delivery);
        for (const outcome of redemptions) {
          const customer = customers[0];
          const member = await db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: SHOP, customerId: customer } } });
          if (!member || member.balance < 500n) break;
          const redemption = await redeemDefaultReward(customer);
          if (outcome === "fail") await failRedemption(db, redemption.id, "test", "refused");
          else await markIssued(sql(), redemption, {});
          if (outcome !== "issue" && outcome !== "fail") await expireCode(db, redemption.id, true, "test");
          if (outcome === "respend" || outcome === "respend-cancelled") {
            // The code is used after all by a late order, which may then be cancelled.
            const orderId = nextOrder++;
            await markCodesUsed(db, SHOP, orderId, [redemption.code!], "test");
            if (outcome === "respend-cancelled") await returnPointsForCancelledOrder(db, SHOP, orderId, [redemption.code!], "test");
          }
        }
        const report = await verifyLedger(db, { shop: SHOP });
        expect(report.mismatches).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
