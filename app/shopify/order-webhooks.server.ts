// What every order webhook does once its payload is parsed: credit the ledger, then (after the
// commit, without waiting) get the member's storefront summary rewritten.
import db from "~/db.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { sql } from "~/sql.server";
import { requestSummarySync } from "./summary-sync-request.server";

export async function creditOrderDelivery(shop: string, delivery: OrderDelivery, topic: string) {
  const result = await recordOrderEvent(db, sql(), shop, delivery, `webhook:${topic}`);
  if (result.balancesChanged) requestSummarySync(shop);
  return result;
}
