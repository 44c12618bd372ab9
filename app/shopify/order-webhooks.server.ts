// What every order webhook does once its payload is parsed: settle the Tally codes the order
// used and the referral it carried, credit the ledger (recording the webhook event in the same
// transaction), take back a referral whose order is now void, then (after the commit, without
// waiting) get the members' storefront summaries rewritten.
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { markCodesUsed, returnPointsForCancelledOrder } from "~/loyalty/redemptions.server";
import { creditReferral, reverseReferralOfVoidedOrder } from "~/loyalty/referrals.server";
import { sql } from "~/sql.server";
import type { OrderPayload } from "./payloads";
import { requestTierRecalcSoon } from "~/jobs/tier-jobs.server";
import { requestFlowTriggers } from "./flow-triggers.server";
import { requestSummarySync } from "./summary-sync-request.server";

export async function creditOrderDelivery(shop: string, delivery: OrderDelivery, topic: string, eventId: string) {
  const actor = `webhook:${topic}`;
  const result = await recordOrderEvent(db, sql(), shop, delivery, actor, eventId ? { eventId, topic } : null);
  let referralReversed = false;
  // Only when the order lost points can it have become void: one indexed read then, none otherwise.
  if (result.delta < 0 || (delivery.kind !== "refund" && delivery.order.cancelled)) {
    referralReversed = await reverseReferralOfVoidedOrder(db, shop, result.orderId, actor);
  }
  if (result.balancesChanged || referralReversed) requestSummarySync(shop);
  if (result.tiersOn) requestTierRecalcSoon(db, shop);
  if (result.flowEvents) requestFlowTriggers(shop);
  return result;
}

/**
 * orders/paid, orders/updated, orders/cancelled. Codes and referrals are settled before the
 * ledger: each step is idempotent, and the event is recorded as handled only with the ledger's
 * commit, so a failure anywhere makes Shopify deliver it again and nothing is left half done.
 * (A reversal interrupted after that commit is repaired by the referral sweep.)
 */
export async function creditOrder(shop: string, kind: "paid" | "updated" | "cancelled", payload: OrderPayload, topic: string, eventId: string) {
  const { order, customer, discountCodes } = payload;
  const actor = `webhook:${topic}`;
  let changed = 0;
  let referralCredited = false;
  if (kind === "paid") {
    changed += await markCodesUsed(db, shop, order.orderId, discountCodes, actor);
    const referral = await creditReferral(db, shop, { orderId: order.orderId, customerId: order.customerId, email: payload.email, referralCode: payload.referralCode, processedAt: order.processedAt, eligibleMinor: order.eligibleMinor }, actor);
    referralCredited = referral === "credited";
    if (referralCredited) changed++;
  }
  if (kind === "cancelled" || (kind === "updated" && order.cancelled)) {
    changed += await returnPointsForCancelledOrder(db, shop, order.orderId, discountCodes, actor);
  }
  const result = await creditOrderDelivery(shop, { kind, order, customer }, topic, eventId);
  // A refund that came before the payment already voided the order.
  if (referralCredited && result.pointsCredited === 0 && (await reverseReferralOfVoidedOrder(db, shop, order.orderId, actor))) changed++;
  if (changed > 0) requestSummarySync(shop);
  return result;
}
