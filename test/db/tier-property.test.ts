// Property: with VIP tiers on, a member's orders (placed on random days, often the same instant as
// another, refunded and cancelled
// at random later instants) delivered in any order, with duplicates, end — once the tier
// recalculation has run — at the same balances and the same points per order as one in-order
// delivery of each event; each order earns under the tier the timeline gives it; balance = Σ ledger.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { membersAwaitingTierRecalc, recalculateMemberTiers } from "~/loyalty/tier-recalc.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { ensureShop } from "~/loyalty/shops.server";
import { sql } from "~/sql.server";
import { balancesMatchLedger } from "../support/ledger-queries";

let run = 0;
let nextOrder = 4_100_000_000n;
let nextRefund = 4_200_000_000n;
const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00Z");

const orderSpec = fc.record({
  // Often the same day as another order: orders of one instant are ordered by id (tier-timeline.ts).
  day: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 2 })),
  dollars: fc.integer({ min: 1, max: 400 }),
  refunds: fc.array(fc.record({ after: fc.integer({ min: 0, max: 60 }), dollars: fc.integer({ min: 1, max: 200 }) }), { maxLength: 2 }),
  cancelAfter: fc.option(fc.integer({ min: 0, max: 60 }), { freq: 5 }),
});

async function tieredShop(domain: string, period: string, basis: string) {
  await inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, domain, "USD");
    await tx.shop.update({ where: { domain }, data: { timezone: "UTC", program: JSON.stringify({ ...shop.program, tiers: { basis, period } }) } });
    await tx.tier.createMany({
      data: [
        { shopDomain: domain, name: "Silver", thresholdPoints: 150, multiplierPercent: 125 },
        { shopDomain: domain, name: "Gold", thresholdPoints: 400, multiplierPercent: 150 },
      ],
    });
  });
}

async function recalcUntilSettled(shop: string) {
  for (let round = 0; round < 10; round++) {
    const members = await membersAwaitingTierRecalc(db, shop);
    if (members.length === 0) return;
    for (const member of members) await recalculateMemberTiers(db, shop, member);
  }
  throw new Error("the tier recalculation did not settle");
}

async function pointsByOrder(shop: string) {
  const rows = await db.orderSnapshot.findMany({ where: { shopDomain: shop }, orderBy: { orderId: "asc" }, select: { orderId: true, pointsCredited: true, earnMultiplierPct: true } });
  return rows.map((row) => [row.orderId, Number(row.pointsCredited), row.earnMultiplierPct]);
}

describe("VIP tiers (property, real database)", () => {
  it("end at in-order balances whatever the arrival order, once the recalculation ran", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderSpec, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("lifetime", "calendar_year", "rolling_12_months"),
        fc.constantFrom("points", "amount"),
        fc.infiniteStream(fc.nat()),
        async (specs, period, basis, randomness) => {
          run++;
          const inOrderShop = `tier-in-order-${run}.myshopify.com`;
          const shuffledShop = `tier-shuffled-${run}.myshopify.com`;
          await tieredShop(inOrderShop, period, basis);
          await tieredShop(shuffledShop, period, basis);
          const customerId = 4_300_000_000n + BigInt(run);

          // Each event with the Shopify instant it happened at.
          const events: { at: number; delivery: OrderDelivery }[] = [];
          for (const spec of specs) {
            const orderId = (nextOrder += 1_000n);
            const placed = START + spec.day * DAY;
            const version = (cancelledAt: number | null) => ({
              orderId,
              customerId,
              currency: "USD",
              updatedAt: cancelledAt ?? placed,
              taxesIncluded: false,
              cancelled: cancelledAt !== null,
              eligibleMinor: spec.dollars * 100,
              amountExponent: 2,
              processedAt: placed,
              cancelledAt,
            });
            events.push({ at: placed, delivery: { kind: "paid", order: version(null) } });
            for (const refund of spec.refunds) {
              const refundedAt = placed + refund.after * DAY + 1;
              events.push({
                at: refundedAt,
                delivery: { kind: "refund", refund: { refundId: nextRefund++, orderId, subtotalMinor: refund.dollars * 100, taxMinor: 0, amountExponent: 2, refundedAt }, currency: "USD" },
              });
            }
            if (spec.cancelAfter !== null) {
              const at = placed + spec.cancelAfter * DAY + 2;
              events.push({ at, delivery: { kind: "cancelled", order: version(at) } });
            }
          }
          const inOrder = [...events].sort((a, b) => a.at - b.at);
          for (const { delivery } of inOrder) await recordOrderEvent(db, sql(), inOrderShop, delivery, "test");
          await recalcUntilSettled(inOrderShop);

          const source = randomness[Symbol.iterator]();
          const shuffled = [...events, ...events.filter((_, i) => i % 3 === 0)]
            .map((event) => ({ event, key: source.next().value as number }))
            .sort((a, b) => a.key - b.key);
          for (const { event } of shuffled) await recordOrderEvent(db, sql(), shuffledShop, event.delivery, "test");
          await recalcUntilSettled(shuffledShop);

          expect(await pointsByOrder(shuffledShop)).toEqual(await pointsByOrder(inOrderShop));
          const balance = async (shop: string) => Number((await db.member.findFirst({ where: { shopDomain: shop, customerId } }))?.balance ?? 0);
          expect(await balance(shuffledShop)).toBe(await balance(inOrderShop));
          expect(await balancesMatchLedger(db)).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  }, 240_000);
});
