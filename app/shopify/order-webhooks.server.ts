// What every order webhook does once its payload is parsed: credit the ledger (recording the
// webhook event in the same transaction), then (after the commit, without waiting) get the
// members' storefront summaries rewritten.
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { sql } from "~/sql.server";
import { requestSummarySync } from "./summary-sync-request.server";

export async function creditOrderDelivery(shop: string, delivery: OrderDelivery, topic: string, eventId: string) {
  const result = await recordOrderEvent(db, sql(), shop, delivery, `webhook:${topic}`, eventId ? { eventId, topic } : null);
  if (result.balancesChanged) requestSummarySync(shop);
  return result;
}
