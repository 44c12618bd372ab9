// The member summary the storefront paints before any request: written to a customer metafield
// after each balance change. The ledger bumps Member.summaryVersion in the same transaction as
// the balance; this module finds members whose summary Shopify does not have yet and records
// what was written, so a failed write is never lost, only retried.
import type { Db } from "~/db.server";
import { tierProgress, type TierDefinition, type TierProgress } from "./tiers";
import type { ShopifyId } from "./shopify-id";

export interface CustomerSummary {
  balance: number;
  pendingBalance: number;
  lifetimeEarned: number;
  tier: { name: string } | null;
  nextTier: { name: string; thresholdPoints: number } | null;
  progress: TierProgress["progress"];
  referralUrl: string;
  updatedAt: string;
}

export interface PendingSummary {
  memberId: number;
  customerId: ShopifyId;
  version: number;
  summary: CustomerSummary;
}

export function customerSummary(
  shopDomain: string,
  member: { balance: number; pendingBalance: number; lifetimeEarned: number; referralCode: string },
  tiers: readonly TierDefinition[],
  now: Date,
): CustomerSummary {
  const { tier, nextTier, progress } = tierProgress(member.lifetimeEarned, tiers);
  return {
    balance: member.balance,
    pendingBalance: member.pendingBalance,
    lifetimeEarned: member.lifetimeEarned,
    tier: tier && { name: tier.name },
    nextTier: nextTier && { name: nextTier.name, thresholdPoints: nextTier.thresholdPoints },
    progress,
    referralUrl: `https://${shopDomain}/?ref=${encodeURIComponent(member.referralCode)}`,
    updatedAt: now.toISOString(),
  };
}

/** Members of the shop whose latest summary Shopify does not have, oldest change first. */
export async function pendingSummaries(db: Db, shopDomain: string, limit: number): Promise<PendingSummary[]> {
  const [members, tiers] = await Promise.all([
    db.member.findMany({
      where: { shopDomain, summaryVersion: { gt: db.member.fields.summarySyncedVersion } },
      orderBy: { updatedAt: "asc" },
      take: limit,
      select: { id: true, customerId: true, balance: true, pendingBalance: true, lifetimeEarned: true, referralCode: true, summaryVersion: true },
    }),
    db.tier.findMany({ where: { shopDomain } }),
  ]);
  const now = new Date();
  return members.map((member) => ({
    memberId: Number(member.id),
    customerId: member.customerId,
    version: Number(member.summaryVersion),
    summary: customerSummary(
      shopDomain,
      {
        balance: Number(member.balance),
        pendingBalance: Number(member.pendingBalance),
        lifetimeEarned: Number(member.lifetimeEarned),
        referralCode: member.referralCode,
      },
      tiers,
      now,
    ),
  }));
}

/** Records the versions Shopify now has; never moves a member backwards. */
export async function markSummariesSynced(db: Db, synced: readonly { memberId: number; version: number }[]): Promise<void> {
  for (const { memberId, version } of synced) {
    await db.member.updateMany({
      where: { id: memberId, summarySyncedVersion: { lt: version } },
      data: { summarySyncedVersion: version },
    });
  }
}

/**
 * Shops with storefront metafields to write: members waiting for their summary, or an installed
 * shop whose program was never written.
 */
export async function shopsWithPendingSummaries(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ shopDomain: string }[]>`
    SELECT DISTINCT "shopDomain" FROM "Member" WHERE "summaryVersion" > "summarySyncedVersion"
    UNION
    SELECT "domain" AS "shopDomain" FROM "Shop"
    WHERE "programPublishedHash" IS NULL AND "uninstalledAt" IS NULL AND "domain" IN (SELECT "shop" FROM "Session")`;
  return rows.map((row) => row.shopDomain);
}
