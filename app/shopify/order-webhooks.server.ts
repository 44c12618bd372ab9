// What every order webhook does once its payload is parsed: settle the Tally codes the order
// used, credit the ledger (recording the webhook event in the same transaction), then (after the
// commit, without waiting) get the members' storefront summaries rewritten.
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { markCodesUsed, returnPointsForCancelledOrder } from "~/loyalty/redemptions.server";
import { sql } from "~/sql.server";
import type { OrderPayload } from "./payloads";
import { requestSummarySync } from "./summary-sync-request.server";

export async function creditOrderDelivery(shop: string, delivery: OrderDelivery, topic: string, eventId: string) {
  const result = await recordOrderEvent(db, sql(), shop, delivery, `webhook:${topic}`, eventId ? { eventId, topic } : null);
  if (result.balancesChanged) requestSummarySync(shop);
  return result;
}

/**
 * orders/paid, orders/updated, orders/cancelled. The codes are settled first: each step is
 * idempotent, and the event is recorded as handled only with the ledger's commit, so a failure
 * anywhere makes Shopify deliver it again and nothing is left half done.
 */
export async function creditOrder(shop: string, kind: "paid" | "updated" | "cancelled", payload: OrderPayload, topic: string, eventId: string) {
  const { order, customer, discountCodes } = payload;
  const actor = `webhook:${topic}`;
  let codesChanged = 0;
  if (kind === "paid") codesChanged = await markCodesUsed(db, shop, order.orderId, discountCodes, actor);
  if (kind === "cancelled" || (kind === "updated" && order.cancelled)) {
    codesChanged = await returnPointsForCancelledOrder(db, shop, order.orderId, discountCodes, actor);
  }
  const result = await creditOrderDelivery(shop, { kind, order, customer }, topic, eventId);
  if (codesChanged > 0) requestSummarySync(shop);
  return result;
}
