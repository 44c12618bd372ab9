// Referrals: a new customer's first paid order carrying a member's referral code credits that
// member the program's referral points, once per referred customer; the credit is reversed when
// the referred order is cancelled or fully refunded. Every decision is one Referral row (unique
// per referred customer) and at most two ledger rows with their own keys, so duplicate and
// concurrent deliveries change nothing more.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { referralRefusal } from "./referrals";
import { ensureShop } from "./shops.server";
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
 */
export function creditReferral(db: Db, shopDomain: string, order: ReferredOrder, actor: string, now = new Date()): Promise<ReferralOutcome> {
  const { referralCode, customerId } = order;
  if (referralCode === null || customerId === null) return Promise.resolve("ignored");
  return inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, shopDomain);
    const settings = shop.program.referrals;
    if (!settings.enabled || !shop.program.enabled) return "ignored";
    const referrer = await tx.member.findUnique({ where: { shopDomain_referralCode: { shopDomain, referralCode } } });
    if (!referrer) return "ignored";
    if (await tx.referral.findUnique({ where: { shopDomain_referredCustomerId: { shopDomain, referredCustomerId: customerId } } })) return "ignored";

    const [earlierOrders, creditedThisWeek] = await Promise.all([
      // Shopify's order ids grow with time: an order of this customer with a smaller id came first.
      tx.orderSnapshot.count({ where: { shopDomain, customerId, orderId: { lt: order.orderId } } }),
      tx.referral.count({ where: { referrerMemberId: referrer.id, status: "credited", createdAt: { gt: new Date(now.getTime() - WEEK_MS) } } }),
    ]);
    const refusal = referralRefusal({
      referrerCustomerId: referrer.customerId,
      referrerEmail: referrer.email,
      referredCustomerId: customerId,
      referredEmail: order.email,
      referredHasEarlierOrder: earlierOrders > 0,
      referrerCreditedThisWeek: creditedThisWeek,
      weeklyCap: settings.weeklyCapPerReferrer,
    });
    const points = refusal === null ? settings.referrerPoints : 0;
    const referral = await tx.referral.create({
      data: {
        shopDomain,
        referrerMemberId: referrer.id,
        referredCustomerId: customerId,
        orderId: order.orderId,
        code: referralCode,
        status: refusal === null ? "credited" : "refused",
        reason: refusal,
        points,
        createdAt: now,
      },
    });
    if (points > 0) {
      await writeBalanceChange(tx, referralChange(shopDomain, referrer.id, points, referral.id, `referral:${customerId}`, actor, `referred customer ${customerId}`));
    } else {
      // The referrer's figures on the storefront (referred) changed without their points.
      await tx.member.update({ where: { id: referrer.id }, data: { summaryVersion: { increment: 1 } } });
    }
    return refusal === null ? "credited" : "refused";
  });
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
