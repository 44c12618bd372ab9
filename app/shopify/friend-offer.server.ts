// POST /apps/tally/referral-offer: the friend claims the offer of the link they came with. The
// code is created in Shopify like a redemption's (reward-issuer.server.ts): chosen first, so a
// lost answer is looked up by code. No points are at stake: an offer Shopify refused is marked
// failed (the friend may claim again), one still unknown stays pending and a claim of the same
// signed-in customer settles it.
import db from "~/db.server";
import { logger } from "~/logger.server";
import { claimFriendOffer, friendOfferReward, friendOfferView, settleFriendOffer, type FriendOfferRow } from "~/loyalty/friend-offers.server";
import type { ShopifyId } from "~/loyalty/shopify-id";
import { runtimeEnv } from "~/runtime-env.server";
import { adminGraphqlFor } from "./admin-client.server";
import { errorResponse, jsonResponse } from "./responses";
import { issueRedemption, settleRedemption, type IssueOutcome, type IssueRequest } from "./reward-issuer.server";

export async function claimFriendOfferResponse(shop: string, customerId: ShopifyId | null, referralCode: string): Promise<Response> {
  const claim = await claimFriendOffer(db, shop, referralCode, customerId);
  if (claim.kind === "refused") return errorResponse(claim.status, claim.code, claim.message);
  if (claim.kind === "existing" && claim.offer.status === "issued") return answer(claim.offer, claim.referredBy);

  const reward = claim.kind === "new" ? claim.reward : friendOfferReward(Number(claim.offer.amountMinor), claim.offer.amountExponent);
  const request: IssueRequest = {
    redemptionId: claim.offer.id,
    reward,
    customerId,
    code: claim.offer.code,
    amountMinor: Number(claim.offer.amountMinor),
    exponent: claim.offer.amountExponent,
    currency: claim.offer.currency,
    createdAt: claim.offer.createdAt,
    expiresAt: claim.offer.expiresAt,
    firstAttemptAt: claim.offer.createdAt,
    title: `Tally friend offer #${claim.offer.id}: ${reward.title} (referred by ${claim.offer.referralCode})`,
  };
  const graphql = await adminGraphqlFor(shop);
  let outcome: IssueOutcome = { kind: "refused", reason: "the shop has no Admin API session", unavailable: true };
  if (graphql) {
    const signal = () => AbortSignal.timeout(runtimeEnv.shopifyCallTimeoutMs);
    // A pending offer (an earlier claim's answer was lost) is looked up first; a new one created.
    outcome = claim.kind === "existing" ? await settleRedemption(graphql, request, async () => new Set(), signal()) : await issueRedemption(graphql, request, signal());
    if (outcome.kind === "unknown") outcome = await settleRedemption(graphql, request, async () => new Set(), signal());
  }
  switch (outcome.kind) {
    case "issued":
      await settleFriendOffer(db, claim.offer.id, { status: "issued", shopifyDiscountId: outcome.shopifyDiscountId });
      return answer({ ...claim.offer, status: "issued" }, claim.referredBy);
    case "refused":
      logger.warn({ shop, offer: claim.offer.id, reason: outcome.reason }, "Shopify did not create a friend offer");
      await settleFriendOffer(db, claim.offer.id, { status: "failed" });
      return outcome.unavailable
        ? errorResponse(503, "shopify_unavailable", "Shopify could not be reached; please try again later.", { "Retry-After": "30" })
        : errorResponse(502, "shopify_failed", "Shopify could not create the offer.");
    case "unknown":
      logger.warn({ shop, offer: claim.offer.id, reason: outcome.reason }, "a friend offer's outcome is unknown; it stays pending");
      return errorResponse(503, "shopify_unavailable", "Shopify did not answer in time; please try again.", { "Retry-After": "30" });
  }
}


function answer(offer: FriendOfferRow, referredBy: string | null): Response {
  return jsonResponse({ version: 1, offer: friendOfferView(offer, referredBy) }, { headers: { "Cache-Control": "private, no-store" } });
}
