// Referrals: a new customer's first paid order carrying a member's referral code credits that
// member the program's referral points, once per referred customer; the credit is reversed when
// the referred order is cancelled or fully refunded. Every decision is one Referral row (unique
// per referred customer) and at most two ledger rows with their own keys, so duplicate and
// concurrent deliveries change nothing more.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { referralRefusal } from "./referrals";
import { sql } from "~/sql.server";
import { row, nothing, runSqlTransactionWithRetries, type Row, type SqlTransaction } from "~/sql-transaction.server";
import { flowEventInsert } from "./flow-event-rows.server";
import { pointsEarnedEvent } from "./flow-events";
import type { Program } from "./program";
import { forgetShop, shopForEvents } from "./shop-cache.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

const WEEK_MS = 7 * 86_400_000;

export interface ReferredOrder {
  orderId: ShopifyId;
  customerId: ShopifyId | null;
  /** The customer's email as the order names it (the customer's, else the order's). */
  email: string | null;
  /** The `tally_referral` note attribute, normalised; null when the order has none. */
  referralCode: string | null;
}

export type ReferralOutcome = "credited" | "refused" | "ignored";

/**
 * orders/paid: credits the referrer of a referred new customer. Ignored (and not an error): no
 * code, an unknown code, referrals turned off, or a customer already referred.
 *
 * A plain-SQL transaction, like the order ledger's: on SQLite it runs synchronously between
 * BEGIN IMMEDIATE and COMMIT, so it holds the write lock for microseconds. (As a Prisma
 * interactive transaction it held the lock across event-loop turns, and every ledger write of
 * the other workers waited or retried meanwhile: bench:webhooks with referrals spent nearly
 * twice the CPU per order.)
 */
export async function creditReferral(db: Db, shopDomain: string, order: ReferredOrder, actor: string, now = new Date()): Promise<ReferralOutcome> {
  const { referralCode, customerId } = order;
  if (referralCode === null || customerId === null) return "ignored";
  const shop = await shopForEvents(db, shopDomain, null);
  if (!shop.program.enabled || !shop.program.referrals.enabled) return "ignored";
  return runSqlTransactionWithRetries(
    sql(),
    () => referralTransaction(shopDomain, shop.program.referrals, { ...order, referralCode, customerId }, actor, now),
    (reason) => reason === "missing_reference" && forgetShop(shopDomain),
  );
}

function* referralTransaction(
  shopDomain: string,
  settings: Program["referrals"],
  order: ReferredOrder & { referralCode: string; customerId: ShopifyId },
  actor: string,
  now: Date,
): SqlTransaction<ReferralOutcome> {
  const { referralCode, customerId } = order;
  // The referrer's row first, locked (PostgreSQL) so that two referrals of one referrer count
  // each other against the weekly cap; the update changes nothing.
  const [referrer, existing, earlier] = (yield [
    row(`UPDATE "Member" SET "referralCode" = "referralCode" WHERE "shopDomain" = ? AND "referralCode" = ? RETURNING "id", "customerId", "email"`, [shopDomain, referralCode]),
    row(`SELECT "id" FROM "Referral" WHERE "shopDomain" = ? AND "referredCustomerId" = ?`, [shopDomain, customerId]),
    // Shopify's order ids grow with time: an order of this customer with a smaller id came first.
    row(`SELECT COUNT(*) AS "count" FROM "OrderSnapshot" WHERE "shopDomain" = ? AND "customerId" = ? AND "orderId" < ?`, [shopDomain, customerId, order.orderId]),
  ]) as [Row | undefined, Row | undefined, Row];
  if (!referrer || existing) return "ignored";
  const referrerId = Number(referrer.id);
  const [week] = (yield [
    row(`SELECT COUNT(*) AS "count" FROM "Referral" WHERE "referrerMemberId" = ? AND "status" = 'credited' AND "createdAt" > ?`, [referrerId, new Date(now.getTime() - WEEK_MS)]),
  ]) as [Row];
  const refusal = referralRefusal({
    referrerCustomerId: BigInt(referrer.customerId as bigint | number),
    referrerEmail: (referrer.email as string | null) ?? null,
    referredCustomerId: customerId,
    referredEmail: order.email,
    referredHasEarlierOrder: Number(earlier.count) > 0,
    referrerCreditedThisWeek: Number(week.count),
    weeklyCap: settings.weeklyCapPerReferrer,
  });
  const points = refusal === null ? settings.referrerPoints : 0;
  const [inserted] = (yield [
    row(
      `INSERT INTO "Referral" ("shopDomain", "referrerMemberId", "referredCustomerId", "orderId", "code", "status", "reason", "points", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shopDomain", "referredCustomerId") DO NOTHING RETURNING "id"`,
      [shopDomain, referrerId, customerId, order.orderId, referralCode, refusal === null ? "credited" : "refused", refusal, points, now, now],
    ),
  ]) as [Row | undefined];
  // A concurrent delivery for the same customer decided first.
  if (!inserted) return "ignored";
  if (points === 0) {
    // The referrer's figures on the storefront (referred) changed without their points.
    yield [nothing(`UPDATE "Member" SET "summaryVersion" = "summaryVersion" + 1, "updatedAt" = ? WHERE "id" = ?`, [now, referrerId])];
    return "refused";
  }
  const ledgerKey = `referral:${customerId}`;
  // Referral points count as earned (tiers read lifetimeEarned), and come off it when reversed.
  yield [
    nothing(
      `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt")
       VALUES (?, ?, ?, 'referral', 'available', 'referral', ?, ?, ?, ?, ?)`,
      [shopDomain, referrerId, BigInt(points), String(inserted.id), actor, `referred customer ${customerId}`, ledgerKey, now],
    ),
    nothing(
      `UPDATE "Member" SET "balance" = "balance" + ?, "lifetimeEarned" = "lifetimeEarned" + ?, "summaryVersion" = "summaryVersion" + 1,
         "lastActivityMs" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [BigInt(points), BigInt(points), now.getTime(), now, referrerId],
    ),
    // A bonus earned is a Shopify Flow trigger (sent by the flow-triggers job).
    flowEventInsert(shopDomain, pointsEarnedEvent(BigInt(referrer.customerId as bigint | number), points, "referral", ledgerKey), now),
  ];
  return "credited";
}

/**
 * After a cancellation or refund of `orderId`: when it is a credited referral's order and it is
 * now cancelled, or refunded down to nothing, the referrer's points are taken back (once).
 */
export async function reverseReferralOfVoidedOrder(db: Db, shopDomain: string, orderId: ShopifyId, actor: string): Promise<boolean> {
  const referral = await db.referral.findFirst({ where: { shopDomain, orderId, status: "credited" } });
  if (!referral) return false;
  const snapshot = await db.orderSnapshot.findUnique({ where: { shopDomain_orderId: { shopDomain, orderId } } });
  if (!snapshot) return false;
  const refunds = snapshot.cancelledAt === null && snapshot.pointsCredited === 0n ? await db.orderRefund.count({ where: { shopDomain, orderId } }) : 0;
  if (snapshot.cancelledAt === null && refunds === 0) return false;
  return inTransaction(db, async (tx) => {
    const reversed = await tx.referral.updateMany({ where: { id: referral.id, status: "credited" }, data: { status: "reversed" } });
    if (reversed.count === 0) return false;
    if (referral.points > 0) {
      const note = `order ${orderId} of the referred customer was ${snapshot.cancelledAt ? "cancelled" : "refunded"}`;
      await writeBalanceChange(tx, referralChange(shopDomain, referral.referrerMemberId, -referral.points, referral.id, `referral:${referral.referredCustomerId}:reversal`, actor, note));
    }
    return true;
  });
}

/** Credited referrals whose order is cancelled or refunded to nothing (a sweep repairs a reversal a crash interrupted). */
export async function referralsToReverse(db: Db, limit = 200): Promise<{ shopDomain: string; orderId: bigint }[]> {
  return db.$queryRaw<{ shopDomain: string; orderId: bigint }[]>`
    SELECT r."shopDomain", r."orderId" FROM "Referral" r
    JOIN "OrderSnapshot" o ON o."shopDomain" = r."shopDomain" AND o."orderId" = r."orderId"
    WHERE r."status" = 'credited'
      AND (o."cancelledAt" IS NOT NULL
        OR (o."pointsCredited" = 0 AND EXISTS (SELECT 1 FROM "OrderRefund" f WHERE f."shopDomain" = o."shopDomain" AND f."orderId" = o."orderId")))
    LIMIT ${limit}`;
}

export interface ReferralStats {
  /** Customers who came with the member's code and placed a first order. */
  referred: number;
  /** Of those, the ones that credited the member (and were not reversed). */
  converted: number;
  pointsEarned: number;
}

// Referral points count as earned (tiers read lifetimeEarned), and come off it when reversed.
function referralChange(shopDomain: string, memberId: number, delta: number, referralId: number, idempotencyKey: string, actor: string, note: string) {
  return { shopDomain, memberId, delta, kind: "referral", sourceType: "referral", sourceId: String(referralId), actor, note, idempotencyKey, earned: true };
}
