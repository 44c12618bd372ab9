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
