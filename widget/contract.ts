// The data the widget reads: the app proxy's JSON (README "Storefront API", version 1) and the
// customer metafield the app keeps current for Liquid's first paint. Types come from the app's
// own modules, so a change there fails the widget's type check; `import type` is erased by
// esbuild, so nothing of the server reaches the bundle.
import type { CustomerSummary } from "../app/loyalty/customer-summary.server";
import type { MemberView, PublicProgram } from "../app/loyalty/storefront.server";

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

/** A reward's kind (version 1 of the contract of POST /apps/tally/redeem, issue 8). */
export type RewardKind = "fixed_amount" | "percentage" | "free_shipping" | "free_product" | "store_credit" | "variable";

/**
 * A reward as the public program lists it since redemption (issue 8). The app's PublicProgram
 * type gains these fields with POST /redeem; until then the widget reads them through this type.
 * For "variable": costPoints is the points per unit, amountMinor / amount the value of one unit.
 */
export interface ProgramReward {
  id: number;
  title: string;
  kind: RewardKind;
  costPoints: number;
  amountMinor: number | null;
  /** amountMinor as a decimal string in the shop currency, "5.00". */
  amount: string | null;
  percentage: number | null;
  minimumSubtotal: string | null;
  variable: { minPoints: number; maxPoints: number; stepPoints: number } | null;
}

/** One redemption: the answer's `redemption`, and each of a member's `redemptions`. */
export interface Redemption {
  id: number;
  rewardId: number;
  kind: RewardKind;
  title: string;
  /** "pending": Shopify's answer was unknown; the app settles it in the background. */
  status: "issued" | "pending";
  /** The discount code; null for store credit and while pending. */
  code: string | null;
  amount: string | null;
  percentage: number | null;
  currency: string | null;
  pointsSpent: number;
  expiresAt: string | null;
  createdAt: string;
}

/** GET /apps/tally/customer's member and POST /redeem's: with the unused codes and store credits, newest first. */
export type RedeemMember = MemberView & { redemptions?: Redemption[] };

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

/** What the widget shows of a member, whether it came from the metafield or the proxy. */
export type PointsView = Pick<CustomerSummary, "balance" | "pendingBalance" | "tier" | "nextTier" | "progress" | "referralUrl">;

/**
 * The summary metafield's value for a member as the proxy reports it: what the app writes
 * (customerSummary in app/loyalty/customer-summary.server.ts), rebuilt from the proxy's JSON by
 * the local storefront, which has no Shopify to read the metafield from.
 */
export function summaryFromMember(member: MemberView, updatedAt: Date): CustomerSummary {
  return {
    balance: member.balance,
    pendingBalance: member.pendingBalance,
    lifetimeEarned: member.lifetimeEarned,
    tier: member.tier ? { name: member.tier.name } : null,
    nextTier: member.nextTier ? { name: member.nextTier.name, thresholdPoints: member.nextTier.thresholdPoints } : null,
    progress: member.progress,
    referralUrl: member.referralUrl,
    updatedAt: updatedAt.toISOString(),
  };
}
