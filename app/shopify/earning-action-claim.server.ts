// POST /apps/tally/actions/<id>/claim: the signed-in shopper claims a custom action (follow on
// social media and the like). Paid at once, or waiting for staff approval; once per member.
import db from "~/db.server";
import { claimEarningAction } from "~/loyalty/earning-actions.server";
import type { ShopifyId } from "~/loyalty/shopify-id";
import { customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { sql } from "~/sql.server";
import { requestFlowTriggers } from "./flow-triggers.server";
import { errorResponse, jsonResponse } from "./responses";
import { requestSummarySync } from "./summary-sync-request.server";

/** The action id in the path: a positive 32-bit integer, else no action of any shop. */
export function actionIdOf(param: string | undefined): number | null {
  if (!param || !/^[1-9]\d{0,9}$/.test(param)) return null;
  const id = Number(param);
  return id <= 2_147_483_647 ? id : null;
}

export async function claimActionResponse(shop: string, customerId: ShopifyId | null, actionParam: string | undefined): Promise<Response> {
  if (customerId === null) return errorResponse(400, "not_signed_in", "Sign in to claim points for this action.");
  const actionId = actionIdOf(actionParam);
  if (actionId === null) return errorResponse(404, "unknown_action", "There is no such action in this shop.");
  const outcome = await claimEarningAction(db, shop, customerId, actionId);
  if (!outcome.ok) {
    const body = { error: { code: outcome.code, message: outcome.message }, ...(outcome.claim ? { claim: outcome.claim } : {}) };
    return jsonResponse(body, { status: outcome.status, headers: { "Cache-Control": "private, no-store" } });
  }
  // The member's summary changed (the claim, and the points when paid): the storefront's copy follows.
  requestSummarySync(shop);
  if (outcome.credited) requestFlowTriggers(shop);
  const { member } = await customerView(db, sql(), shop, customerId);
  return jsonResponse({ version: STOREFRONT_API_VERSION, claim: outcome.claim, member }, { headers: { "Cache-Control": "private, no-store" } });
}
