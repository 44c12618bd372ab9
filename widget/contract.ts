// The data the widget reads: the app proxy's JSON (README "Storefront API", version 1) and the
// customer metafield the app keeps current for Liquid's first paint. Types come from the app's
// own modules, so a change there fails the widget's type check; `import type` is erased by
// esbuild, so nothing of the server reaches the bundle.
import type { CustomerSummary } from "../app/loyalty/customer-summary.server";
import type { ActionClaimView } from "../app/loyalty/earning-actions";
export type { ActionClaimView };
import type { FriendOfferView } from "../app/loyalty/friend-offers.server";
import type { RedemptionView } from "../app/loyalty/redemptions.server";
import type { MemberView, PublicProgram, PublicReward } from "../app/loyalty/storefront.server";

/**
 * Customer metafield `$app:tally` / `summary`, type `json`, written by the app after every
 * balance change (app/shopify/customer-summary-sync.server.ts). Liquid renders balance, tier and
 * referral link from it.
 */
export type { CustomerSummary, MemberView, PublicProgram };

/** GET /apps/tally/customer */
export interface CustomerResponse {
  version: 1;
  member: MemberView | null;
  program: PublicProgram;
}

/** GET /apps/tally/program */
export interface ProgramResponse {
  version: 1;
  program: PublicProgram;
}

export type { RewardKind } from "../app/loyalty/rewards";

/** A reward as the public program lists it (for "variable": costPoints buys amount). */
export type ProgramReward = PublicReward;

/** One redemption: the answer's `redemption`, and each of a member's `redemptions`. */
export type Redemption = RedemptionView;

/** GET /apps/tally/customer's member and POST /redeem's: with the unused codes and store credits, newest first. */
export type RedeemMember = MemberView;

/** POST /apps/tally/redeem, body `{ rewardId, points? }` (points only for "variable"): 200, or 202 while pending. */
export interface RedeemResponse {
  version: 1;
  redemption: Redemption;
  member: RedeemMember;
}

/**
 * Its errors: 401 bad signature, 400 malformed / not_signed_in, 404 unknown_reward,
 * 409 not_enough_points, 422 reward_unavailable, 429 too_many_redeems (Retry-After, seconds),
 * 502 shopify_failed / 503 shopify_unavailable (the points are back).
 */
export interface RedeemErrorResponse {
  error: { code: string; message: string };
}

/** POST /apps/tally/referral-offer `{ code }` → `{ version: 1, offer }` (README "Referrals"). */
export type { FriendOfferView };

/** What POST /apps/tally/birthday and /actions/<id>/claim (the member) and /referral-offer (the offer) answer, or their error. */
export interface FormAnswer {
  version?: 1;
  member?: MemberView;
  offer?: FriendOfferView;
  /** POST /apps/tally/actions/<id>/claim: the claim, with the member. */
  claim?: ActionClaimView;
  error?: { code: string };
}

/** What the widget shows of a member, whether it came from the metafield or the proxy. */
export type PointsView = Pick<CustomerSummary, "balance" | "pendingBalance" | "tier" | "nextTier" | "progress" | "referralUrl" | "birthday">;

/** A member as the widget shows them, from the metafield's summary or from an answer of the app. */
export type ShownMember = PointsView & Pick<CustomerSummary, "redemptions" | "actionClaims"> & { summaryVersion?: number };

/**
 * The summary metafield's value for a member as the proxy reports it: what the app writes
 * (customerSummary in app/loyalty/customer-summary.server.ts), rebuilt from the proxy's JSON by
 * the local storefront, which has no Shopify to read the metafield from.
 */
export function summaryFromMember(member: MemberView, updatedAt: Date): CustomerSummary {
  return {
    version: member.summaryVersion,
    balance: member.balance,
    pendingBalance: member.pendingBalance,
    lifetimeEarned: member.lifetimeEarned,
    tier: member.tier ? { name: member.tier.name } : null,
    nextTier: member.nextTier ? { name: member.nextTier.name, thresholdPoints: member.nextTier.thresholdPoints } : null,
    progress: member.progress,
    referralUrl: member.referralUrl,
    redemptions: member.redemptions,
    referrals: member.referrals,
    birthday: member.birthday,
    actionClaims: member.actionClaims,
    updatedAt: updatedAt.toISOString(),
  };
}
