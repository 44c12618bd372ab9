// Property: random interleavings of earning, refunds, cancellations, redemptions (issued, refused,
// or settled later), code use and expiry, through the real ledger and database. After every step
// each member's balance is the sum of their ledger rows; a redemption never takes a balance below
// zero (only a refund of points already spent may); a redemption's points come back at most once,
// and never for a reward that is issued or used.
import fc from "fast-check";
import { describe, expect, it, onTestFailed } from "vitest";
import db from "~/db.server";
import { recordOrderEvent } from "~/loyalty/ledger.server";
import {
  expireCode,
  failRedemption,
  isRedeemRefusal,
  markCodesUsed,
  markIssued,
  type IssuedRedemption,
  returnPointsForCancelledOrder,
  startRedemption,
} from "~/loyalty/redemptions.server";
import { ensureShop } from "~/loyalty/shops.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { sql } from "~/sql.server";
import { balancesMatchLedger } from "../support/ledger-queries";

const SHOP = "redeem-property.myshopify.com";
let nextOrder = 6_100_000_000n;
let nextCustomer = 6_200_000_000n;
let nextRefund = 6_300_000_000n;

const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("earn" as const), customer: fc.nat(1), dollars: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("refund" as const), order: fc.nat(20), dollars: fc.integer({ min: 1, max: 900 }) }) },
  // usedCode: an order that used a code, when there is one (the rarer paths: a used code's points back).
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), order: fc.nat(20), usedCode: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("redeem" as const),
      customer: fc.nat(1),
      reward: fc.nat(2),
      copies: fc.integer({ min: 1, max: 3 }),
      outcome: fc.constantFrom("issued" as const, "refused" as const, "pending" as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("settle" as const), redemption: fc.nat(20), outcome: fc.constantFrom("issued" as const, "refused" as const) }) },
  // expiredCode: a code that expired, when there is one (used after all: its points are spent again).
  { weight: 3, arbitrary: fc.record({ op: fc.constant("use" as const), redemption: fc.nat(20), order: fc.nat(20), expiredCode: fc.boolean() }) },
  // issuedCode: a code that was issued, when there is one (else any redemption, most of which cannot expire).
  { weight: 2, arbitrary: fc.record({ op: fc.constant("expire" as const), redemption: fc.nat(20), returnPoints: fc.boolean(), issuedCode: fc.boolean() }) },
);

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

async function invariants(memberIds: number[]) {
  expect(await balancesMatchLedger(db)).toEqual([]);
  // A redeem row never leaves its member below zero.
  const rows = await db.ledgerEntry.findMany({ where: { memberId: { in: memberIds } }, orderBy: { id: "asc" } });
  const running = new Map<number, bigint>();
  for (const row of rows) {
    const balance = (running.get(row.memberId) ?? 0n) + row.delta;
    running.set(row.memberId, balance);
    if (row.kind === "redeem" && row.idempotencyKey.endsWith(":redeem")) expect(balance, row.idempotencyKey).toBeGreaterThanOrEqual(0n);
  }
  // Points back at most once, and only for a reward that is not (or no longer) in the shopper's hands.
  const redemptions = await db.redemption.findMany({ where: { memberId: { in: memberIds } } });
  for (const redemption of redemptions) {
    // A second time only when a code returned as expired was used after all (spent again) and
    // that order was cancelled: `:return`, `:respend`, then `:return:2`.
    const uses = (suffix: string) => rows.filter((row) => row.idempotencyKey === `redemption:${redemption.id}:${suffix}`).length;
    const [returned, respent, returnedAgain] = [uses("return"), uses("respend"), uses("return:2")];
    expect([returned, respent, returnedAgain], `redemption ${redemption.id}: return, respend, return:2`).toSatisfy(
      ([first, spentAgain, second]: number[]) => first <= 1 && spentAgain <= first && second <= spentAgain,
    );
    expect(redemption.pointsReturned).toBe(returned + returnedAgain - respent === 1);
    if (redemption.pointsReturned) expect(["failed", "expired", "returned"]).toContain(redemption.status);
    if (["issued", "used", "pending"].includes(redemption.status)) expect(redemption.pointsReturned).toBe(false);
  }
}

describe("redemptions (property, real database)", () => {
  it("keeps balance = Σ ledger at every step, never spends below zero, and returns points at most once", async () => {
    await inTransaction(db, async (tx) => {
      await ensureShop(tx, SHOP, "USD");
      // Three rewards: the default 500 → 5.00, a cheap one, and a variable one.
      await tx.reward.createMany({
        data: [
          { shopDomain: SHOP, title: "1.00 off", kind: "fixed_amount", costPoints: 100, amountMinor: 100 },
          { shopDomain: SHOP, title: "per 100", kind: "variable", costPoints: 100, amountMinor: 100, minPoints: 100, maxPoints: 1000, stepPoints: 100 },
        ],
      });
    });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const program = JSON.parse(shop.program);
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...program, redemption: { ...program.redemption, maxRedeemsPerHour: 10_000 } }) } });
    const rewards = await db.reward.findMany({ where: { shopDomain: SHOP }, orderBy: { id: "asc" } });

    // The seed and the step under way are printed when it fails, so that a failure can be replayed.
    // A failure is reported as found, not shrunk: shrinking runs the property again and again,
    // past the test's timeout (twice in CI, before a code's second return had a key of its own).
    // Replaying a seed (PROPERTY_SEED) shrinks it.
    const replaying = process.env.PROPERTY_SEED !== undefined;
    const seed = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    let underWay: Step | null = null;
    onTestFailed(() => console.error(`redemption property: PROPERTY_SEED=${seed} replays it; the step under way: ${JSON.stringify(underWay)}`));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps: Step[]) => {
        const customers = [nextCustomer++, nextCustomer++];
        const orders: { orderId: bigint; customer: bigint; cents: number; codes: string[] }[] = [];
        const redeemed: IssuedRedemption[] = [];
        const issuedOnes: IssuedRedemption[] = [];
        const expired: IssuedRedemption[] = [];
        for (const s of steps) {
          underWay = s;
          if (s.op === "earn") {
            const order = { orderId: nextOrder++, customer: customers[s.customer], cents: s.dollars * 100, codes: [] as string[] };
            orders.push(order);
            await recordOrderEvent(db, sql(), SHOP, { kind: "paid", order: orderVersion(order) }, "test");
          } else if (s.op === "refund" && orders.length > 0) {
            const order = orders[s.order % orders.length];
            const refund = { refundId: nextRefund++, orderId: order.orderId, subtotalMinor: Math.min(order.cents, s.dollars * 100), taxMinor: 0, amountExponent: 2 };
            await recordOrderEvent(db, sql(), SHOP, { kind: "refund", refund, currency: "USD" }, "test");
          } else if (s.op === "cancel" && orders.length > 0) {
            const withCodes = orders.filter((candidate) => candidate.codes.length > 0);
            const pool = s.usedCode && withCodes.length > 0 ? withCodes : orders;
            const order = pool[s.order % pool.length];
            await returnPointsForCancelledOrder(db, SHOP, order.orderId, order.codes, "test");
            await recordOrderEvent(db, sql(), SHOP, { kind: "cancelled", order: { ...orderVersion(order), cancelled: true, updatedAt: 99_000 } }, "test");
          } else if (s.op === "redeem") {
            const reward = rewards[s.reward % rewards.length];
            const started = await Promise.all(
              Array.from({ length: s.copies }, () =>
                startRedemption(db, sql(), { shopDomain: SHOP, customerId: customers[s.customer], rewardId: reward.id, points: reward.kind === "variable" ? 300 : undefined, actor: "test" }),
              ),
            );
            for (const result of started) {
              if (isRedeemRefusal(result)) {
                expect(result.code).toBe("not_enough_points");
                continue;
              }
              const issued = { ...result.redemption, customerId: result.customerId };
              redeemed.push(issued);
              if (s.outcome === "issued" && (await markIssued(sql(), issued, { shopifyDiscountId: `gid://shopify/DiscountCodeNode/${result.redemption.id}` })) !== null) issuedOnes.push(issued);
              if (s.outcome === "refused") await failRedemption(db, result.redemption.id, "test", "refused");
            }
          } else if (s.op === "settle" && redeemed.length > 0) {
            const settled = redeemed[s.redemption % redeemed.length];
            if (s.outcome === "issued") {
              if ((await markIssued(sql(), settled, {})) !== null) issuedOnes.push(settled);
            }
            else await failRedemption(db, settled.id, "test", "refused");
          } else if (s.op === "use" && redeemed.length > 0 && orders.length > 0) {
            const pool = s.expiredCode && expired.length > 0 ? expired : redeemed;
            const redemption = await db.redemption.findUniqueOrThrow({ where: { id: pool[s.redemption % pool.length].id } });
            const order = orders[s.order % orders.length];
            if (redemption.code) {
              order.codes.push(redemption.code);
              await markCodesUsed(db, SHOP, order.orderId, [redemption.code], "test");
            }
          } else if (s.op === "expire" && redeemed.length > 0) {
            const pool = s.issuedCode && issuedOnes.length > 0 ? issuedOnes : redeemed;
            const redemption = pool[s.redemption % pool.length];
            if (await expireCode(db, redemption.id, s.returnPoints, "test")) expired.push(redemption);
          }
          const members = await db.member.findMany({ where: { shopDomain: SHOP, customerId: { in: customers } }, select: { id: true } });
          await invariants(members.map((member) => member.id));
        }
        underWay = null;
        // And the audit agrees with every redemption's ledger rows.
        expect((await verifyLedger(db, { shop: SHOP })).mismatches).toEqual([]);
      }),
      { numRuns: 25, seed, endOnFailure: !replaying },
    );
  });
});

function orderVersion(order: { orderId: bigint; customer: bigint; cents: number }) {
  return { orderId: order.orderId, customerId: order.customer, currency: "USD", updatedAt: 1_000, taxesIncluded: false, cancelled: false, eligibleMinor: order.cents, amountExponent: 2 };
}
