// Referrals: a new customer's first paid order carrying a member's referral code credits that
// member the program's referral points, once per referred customer; the credit is reversed when
// the referred order is cancelled or fully refunded. Every decision is one Referral row (unique
// per referred customer) and ledger rows with their own keys, so duplicate and concurrent
// deliveries change nothing more. With a pending period the points wait as pending until the
// order's processed_at plus the period (released by the pending-release job); a reversal in the
// period takes them from pending, and once released the referral stands.
import type { Db, Prisma } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { redactedCustomerRead } from "./ledger.server";
import { referralRefusal } from "./referrals";
import { sql } from "~/sql.server";
import { row, nothing, runSqlTransactionWithRetries, type Row, type SqlTransaction } from "~/sql-transaction.server";
import { flowEventInsert } from "./flow-event-rows.server";
import { pointsEarnedEvent } from "./flow-events";
import type { Program } from "./program";
import { forgetShop, programVersionOf, programVersionRead, shopForEvents, StaleShop, withCurrentShop, type ShopForEvents } from "./shop-cache.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

const WEEK_MS = 7 * 86_400_000;

type Referral = Prisma.ReferralGetPayload<object>;

export interface ReferredOrder {
  orderId: ShopifyId;
  customerId: ShopifyId | null;
  /** The customer's email as the order names it (the customer's, else the order's). */
  email: string | null;
  /** The `tally_referral` note attribute, normalised; null when the order has none. */
  referralCode: string | null;
  /** Shopify's processed_at (epoch ms): a pending period runs from it; null or absent: now. */
  processedAt?: number | null;
  /** What the order spent on what earns points, in minor units (OrderVersion.eligibleMinor); absent: not known. */
  eligibleMinor?: number | null;
}

export type ReferralOutcome = "credited" | "refused" | "ignored";

const referralsOn = (shop: ShopForEvents) => shop.program.enabled && shop.program.referrals.enabled;

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
  // The cached program's settings, checked against the stored programVersion inside the
  // transaction (its first batch, no read of its own): a save reaches the next referral at once.
  return withCurrentShop(db, shopDomain, null, async (shop) => {
    // A cached program with referrals off is checked before it is ignored (no transaction runs to check it).
    if (!referralsOn(shop)) {
      const checked = await shopForEvents(db, shopDomain, null);
      return referralsOn(checked) ? new StaleShop(checked.programVersion) : "ignored";
    }
    return runSqlTransactionWithRetries(
      sql(),
      () => referralTransaction(shopDomain, shop.programVersion, shop.program.referrals, shop.program.pendingDays, { ...order, referralCode, customerId }, actor, now),
      (reason) => reason === "missing_reference" && forgetShop(shopDomain),
    );
  });
}

function* referralTransaction(
  shopDomain: string,
  /** The programVersion `settings` come from: the transaction changes nothing (StaleShop) when another is stored. */
  programVersion: number,
  settings: Program["referrals"],
  pendingDays: number,
  order: ReferredOrder & { referralCode: string; customerId: ShopifyId },
  actor: string,
  now: Date,
): SqlTransaction<ReferralOutcome | StaleShop> {
  const { referralCode, customerId } = order;
  // The referrer's row first, locked (PostgreSQL) so that two referrals of one referrer count
  // each other against the weekly cap; the update changes nothing. The statements of a batch run
  // in order, so the week's count, after it, sees every referral committed by a transaction that
  // held the lock before.
  const [referrer, existing, earlier, week, stored, redacted] = (yield [
    row(`UPDATE "Member" SET "referralCode" = "referralCode" WHERE "shopDomain" = ? AND "referralCode" = ? RETURNING "id", "customerId", "email"`, [shopDomain, referralCode]),
    row(`SELECT "id" FROM "Referral" WHERE "shopDomain" = ? AND "referredCustomerId" = ?`, [shopDomain, customerId]),
    // Shopify's order ids grow with time: an order of this customer with a smaller id came first.
    row(`SELECT COUNT(*) AS "count" FROM "OrderSnapshot" WHERE "shopDomain" = ? AND "customerId" = ? AND "orderId" < ?`, [shopDomain, customerId, order.orderId]),
    row(
      `SELECT COUNT(*) AS "count" FROM "Referral" WHERE "referrerMemberId" = (SELECT "id" FROM "Member" WHERE "shopDomain" = ? AND "referralCode" = ?)
         AND "status" = 'credited' AND "createdAt" > ?`,
      [shopDomain, referralCode, new Date(now.getTime() - WEEK_MS)],
    ),
    programVersionRead(shopDomain),
    // customers/redact erased the referred customer: nothing of them is stored again.
    redactedCustomerRead(shopDomain, customerId),
  ]) as [Row | undefined, Row | undefined, Row, Row, Row | undefined, Row | undefined];
  if (programVersionOf(stored) !== programVersion) return new StaleShop(programVersionOf(stored));
  if (!referrer || existing || redacted) return "ignored";
  const referrerId = Number(referrer.id);
  const refusal = referralRefusal({
    referrerCustomerId: BigInt(referrer.customerId as bigint | number),
    referrerEmail: (referrer.email as string | null) ?? null,
    referredCustomerId: customerId,
    referredEmail: order.email,
    referredHasEarlierOrder: Number(earlier.count) > 0,
    referredOrderEligibleMinor: order.eligibleMinor,
    referrerCreditedThisWeek: Number(week.count),
    weeklyCap: settings.weeklyCapPerReferrer,
  });
  const points = refusal === null ? settings.referrerPoints : 0;
  // The shop's pending period: the points wait as the order's do; a late delivery whose period
  // is over is available at once.
  const pendingEnds = (order.processedAt ?? now.getTime()) + pendingDays * 86_400_000;
  const pendingUntil = points > 0 && pendingDays > 0 && pendingEnds > now.getTime() ? new Date(pendingEnds) : null;
  const [inserted] = (yield [
    row(
      `INSERT INTO "Referral" ("shopDomain", "referrerMemberId", "referredCustomerId", "orderId", "code", "status", "reason", "points", "pendingUntil", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shopDomain", "referredCustomerId") DO NOTHING RETURNING "id"`,
      [shopDomain, referrerId, customerId, order.orderId, referralCode, refusal === null ? "credited" : "refused", refusal, points, pendingUntil, now, now],
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
  // Referral points count as earned (lifetimeEarned; tiers count orders only), and come off it when reversed.
  yield [
    nothing(
      `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt")
       VALUES (?, ?, ?, 'referral', ?, 'referral', ?, ?, ?, ?, ?)`,
      [shopDomain, referrerId, BigInt(points), pendingUntil === null ? "available" : "pending", String(inserted.id), actor, `referred customer ${customerId}`, ledgerKey, now],
    ),
    nothing(
      `UPDATE "Member" SET "${pendingUntil === null ? "balance" : "pendingBalance"}" = "${pendingUntil === null ? "balance" : "pendingBalance"}" + ?, "lifetimeEarned" = "lifetimeEarned" + ?, "summaryVersion" = "summaryVersion" + 1,
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
  return inTransaction(db, (tx) => reverseInTransaction(tx, referral, `order ${orderId} of the referred customer was ${snapshot.cancelledAt ? "cancelled" : "refunded"}`, actor));
}

/**
 * Takes a credited referral's points back, once: from pending while it waits, from the balance
 * when it never waited. A referral whose pending points were released stands (the pending period
 * is the shop's return window).
 */
async function reverseInTransaction(tx: Prisma.TransactionClient, referral: Referral, note: string, actor: string): Promise<boolean> {
  const reversed = await tx.referral.updateMany({
    where: { id: referral.id, status: "credited", OR: [{ pendingUntil: null }, { pendingReleased: false }] },
    data: { status: "reversed" },
  });
  if (reversed.count === 0) return false;
  if (referral.points > 0) {
    await writeBalanceChange(tx, {
      ...referralChange(referral.shopDomain, referral.referrerMemberId, -referral.points, referral.id, `referral:${referral.referredCustomerId}:reversal`, actor, note),
      status: referral.pendingUntil === null ? "available" : "pending",
    });
  } else {
    // No points move, but the referrer's referral figures do: their summary is out of date.
    await tx.member.updateMany({ where: { id: referral.referrerMemberId }, data: { summaryVersion: { increment: 1 } } });
  }
  return true;
}

/** Credited referrals whose pending period is over and whose points still wait, oldest first. */
export function dueReferralReleases(db: Db, now: Date, limit: number): Promise<Referral[]> {
  return db.referral.findMany({
    where: { status: "credited", pendingReleased: false, pendingUntil: { lte: now } },
    orderBy: { pendingUntil: "asc" },
    take: limit,
  });
}

/**
 * Releases a referral's pending points to the referrer's balance (two rows under keys of their
 * own, in one transaction with the claim), or, when its order turned out void (a reversal
 * interrupted before its commit), takes them from pending instead. Returns whether the
 * referrer's points changed.
 */
export function releaseReferralPoints(db: Db, referral: Referral, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const snapshot = await tx.orderSnapshot.findUnique({ where: { shopDomain_orderId: { shopDomain: referral.shopDomain, orderId: referral.orderId } } });
    const refunded = snapshot !== null && snapshot.cancelledAt === null && snapshot.pointsCredited === 0n && (await tx.orderRefund.count({ where: { shopDomain: referral.shopDomain, orderId: referral.orderId } })) > 0;
    if (snapshot?.cancelledAt || refunded) {
      return reverseInTransaction(tx, referral, `order ${referral.orderId} of the referred customer was ${snapshot?.cancelledAt ? "cancelled" : "refunded"}`, "job:pending-release");
    }
    const claimed = await tx.referral.updateMany({
      where: { id: referral.id, status: "credited", pendingReleased: false, pendingUntil: { lte: now } },
      data: { pendingReleased: true },
    });
    if (claimed.count === 0 || referral.points === 0) return false;
    const release = { shopDomain: referral.shopDomain, memberId: referral.referrerMemberId, kind: "pending_release", sourceType: "referral", sourceId: String(referral.id), actor: "job:pending-release", earned: false };
    const key = `referral:${referral.referredCustomerId}:release`;
    await writeBalanceChange(tx, { ...release, delta: -referral.points, status: "pending", idempotencyKey: `${key}:pending` });
    await writeBalanceChange(tx, { ...release, delta: referral.points, status: "available", idempotencyKey: key });
    return true;
  });
}

/** Credited referrals whose order is cancelled or refunded to nothing (a sweep repairs a reversal a crash interrupted). */
export async function referralsToReverse(db: Db, limit = 200): Promise<{ shopDomain: string; orderId: bigint }[]> {
  return db.$queryRaw<{ shopDomain: string; orderId: bigint }[]>`
    SELECT r."shopDomain", r."orderId" FROM "Referral" r
    JOIN "OrderSnapshot" o ON o."shopDomain" = r."shopDomain" AND o."orderId" = r."orderId"
    WHERE r."status" = 'credited' AND (r."pendingUntil" IS NULL OR r."pendingReleased" = false)
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

// Referral points count as earned (lifetimeEarned; tiers count orders only), and come off it when reversed.
function referralChange(shopDomain: string, memberId: number, delta: number, referralId: number, idempotencyKey: string, actor: string, note: string) {
  return { shopDomain, memberId, delta, kind: "referral", sourceType: "referral", sourceId: String(referralId), actor, note, idempotencyKey, earned: true };
}
