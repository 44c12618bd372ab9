// The member summary the storefront paints before any request: written to a customer metafield
// after each balance change. The ledger bumps Member.summaryVersion in the same transaction as
// the balance; this module finds members whose summary Shopify does not have yet and records
// what was written, so a failed write is never lost, only retried.
import type { Db } from "~/db.server";
import { sql, type SqlConnection } from "~/sql.server";
import { nothing, runEachCommittedOnPostgres, runSqlTransactionWithRetries } from "~/sql-transaction.server";
import { currencyExponent } from "./money";
import { membersExtras, type RedemptionView } from "./redemptions.server";
import type { ActionClaimView } from "./earning-actions";
import { membersActionClaims } from "./earning-actions.server";
import type { ReferralStats } from "./referrals.server";
import { parseProgram } from "./program";
import { heldTierProgress, type HeldTierProgress, type TierScale } from "./tiers";
import type { ShopifyId } from "./shopify-id";

export interface CustomerSummary {
  /** Member.summaryVersion when written: the widget asks the app only when it knows of a newer one. */
  version: number;
  balance: number;
  pendingBalance: number;
  lifetimeEarned: number;
  tier: { name: string } | null;
  nextTier: { name: string; thresholdPoints: number } | null;
  progress: HeldTierProgress["progress"];
  referralUrl: string;
  /** Issued, unused codes and store credits, newest first (as GET /apps/tally/customer lists them). */
  redemptions: RedemptionView[];
  referrals: ReferralStats;
  birthday: string | null;
  updatedAt: string;
  /**
   * Claims of custom actions, oldest first (as GET /apps/tally/customer lists them). Always
   * written; optional in the type because summaries written before actions existed lack it.
   */
  actionClaims?: ActionClaimView[];
}

export interface PendingSummary {
  memberId: number;
  customerId: ShopifyId;
  version: number;
  /** Times Shopify refused this member's summary in a row. */
  attempts: number;
  summary: CustomerSummary;
  /** The tier tag Shopify last took for the member (Member.segmentTierTag). */
  syncedTierTag: string | null;
  /** The names of the shop's tiers, as read with the members (one list shared by all of them). */
  shopTierNames: readonly string[];
}

export function customerSummary(
  shopDomain: string,
  member: {
    version: number;
    balance: number;
    pendingBalance: number;
    lifetimeEarned: number;
    referralCode: string;
    tierId: number | null;
    tierActivity: number;
    birthday: string | null;
    redemptions: RedemptionView[];
    referrals: ReferralStats;
    actionClaims?: ActionClaimView[];
  },
  scale: TierScale,
  now: Date,
): CustomerSummary {
  const { tier, nextTier, progress } = heldTierProgress(member, scale);
  return {
    version: member.version,
    balance: member.balance,
    pendingBalance: member.pendingBalance,
    lifetimeEarned: member.lifetimeEarned,
    tier: tier && { name: tier.name },
    nextTier: nextTier && { name: nextTier.name, thresholdPoints: nextTier.thresholdPoints },
    progress,
    referralUrl: `https://${shopDomain}/?ref=${encodeURIComponent(member.referralCode)}`,
    redemptions: member.redemptions,
    referrals: member.referrals,
    birthday: member.birthday,
    updatedAt: now.toISOString(),
    actionClaims: member.actionClaims ?? [],
  };
}

/** Attempts at writing one member's summary before giving up on that version. */
export const MAX_SUMMARY_ATTEMPTS = 8;

/** Wait after the n-th refusal of a member's summary: 1, 2, 4 … 64 minutes. */
export function summaryRetryDelayMs(attempts: number): number {
  return 60_000 * 2 ** Math.max(0, attempts - 1);
}

/**
 * Members of the shop whose latest summary Shopify does not have and who are due: not waiting
 * out a backoff, and not given up on at this version. Oldest change first; members that were
 * refused before come last (they are written one at a time).
 */
export async function pendingSummaries(db: Db, shopDomain: string, limit: number, now = Date.now()): Promise<PendingSummary[]> {
  const [members, tiers, shop] = await Promise.all([
    db.member.findMany({
      where: {
        shopDomain,
        summaryVersion: { gt: db.member.fields.summarySyncedVersion },
        AND: [
          { OR: [{ summaryRetryAt: null }, { summaryRetryAt: { lte: BigInt(now) } }] },
          { OR: [{ summaryGaveUpVersion: null }, { summaryVersion: { gt: db.member.fields.summaryGaveUpVersion } }] },
        ],
      },
      orderBy: [{ summarySyncAttempts: "asc" }, { updatedAt: "asc" }],
      take: limit,
      select: {
        id: true,
        customerId: true,
        balance: true,
        pendingBalance: true,
        lifetimeEarned: true,
        referralCode: true,
        tierId: true,
        tierActivity: true,
        birthday: true,
        summaryVersion: true,
        summarySyncAttempts: true,
        segmentTierTag: true,
      },
    }),
    db.tier.findMany({ where: { shopDomain } }),
    db.shop.findUnique({ where: { domain: shopDomain }, select: { program: true, currency: true } }),
  ]);
  const scale: TierScale = {
    tiers,
    basis: shop ? parseProgram(shop.program).tiers.basis : "points",
    exponent: shop?.currency ? currencyExponent(shop.currency) : 2,
  };
  const at = new Date(now);
  const shopTierNames = tiers.map((tier) => tier.name);
  const memberIds = members.map((member) => member.id);
  const [extras, actionClaims] = await Promise.all([membersExtras(sql(), memberIds), membersActionClaims(sql(), memberIds)]);
  return members.map((member) => ({
    memberId: Number(member.id),
    customerId: member.customerId,
    version: Number(member.summaryVersion),
    attempts: member.summarySyncAttempts,
    syncedTierTag: member.segmentTierTag,
    shopTierNames,
    summary: customerSummary(
      shopDomain,
      {
        balance: Number(member.balance),
        pendingBalance: Number(member.pendingBalance),
        lifetimeEarned: Number(member.lifetimeEarned),
        referralCode: member.referralCode,
        tierId: member.tierId,
        tierActivity: Number(member.tierActivity),
        version: Number(member.summaryVersion),
        birthday: member.birthday,
        ...extras.get(member.id)!,
        actionClaims: actionClaims.get(member.id),
      },
      scale,
      at,
    ),
  }));
}

/** Records the versions Shopify now has; never moves a member backwards. */
export async function markSummariesSynced(connection: SqlConnection, synced: readonly { memberId: number; version: number }[]): Promise<void> {
  if (synced.length === 0) return;
  // Through the driver, all in one batch: the sync marks every member it wrote, after every
  // balance change (Prisma cost about a millisecond of CPU a member here).
  const marks = synced.map(({ memberId, version }) =>
    nothing(
      `UPDATE "Member" SET "summarySyncedVersion" = ?, "summarySyncAttempts" = 0, "summaryRetryAt" = NULL, "summarySyncError" = NULL, "summaryGaveUpVersion" = NULL
       WHERE "id" = ? AND "summarySyncedVersion" < ?`,
      [version, memberId, version],
    ),
  );
  // On PostgreSQL each member's mark commits on its own (each is right alone, and a lost one only
  // writes that summary again). In one transaction the marks held every member's row they had
  // updated while waiting for the next: redeems sharing a transaction lock several members in
  // their own order, and the two deadlocked (every few runs of bench:redeem), each redeem of the
  // group waiting a second for PostgreSQL's deadlock check.
  if (connection.provider === "postgresql") await runEachCommittedOnPostgres(connection, marks);
  else await runSqlTransactionWithRetries(connection, function* () {
    yield marks;
  });
}

/**
 * Shopify refused this member's summary (the customer was deleted or merged there, say): try
 * again after a backoff, and after MAX_SUMMARY_ATTEMPTS give up on this version (a later
 * balance change tries again). Returns whether it gave up.
 */
export async function recordSummaryRefused(db: Db, member: { memberId: number; version: number; attempts: number }, reason: string, now = Date.now()): Promise<boolean> {
  const attempts = member.attempts + 1;
  const gaveUp = attempts >= MAX_SUMMARY_ATTEMPTS;
  await db.member.updateMany({
    where: { id: member.memberId },
    data: {
      summarySyncAttempts: attempts,
      summarySyncError: reason.slice(0, 500),
      summaryRetryAt: gaveUp ? null : BigInt(now + summaryRetryDelayMs(attempts)),
      summaryGaveUpVersion: gaveUp ? member.version : null,
    },
  });
  return gaveUp;
}

/**
 * Installed shops with storefront metafields due to be written: members waiting for their
 * summary, or a program never written. Shops without an offline session, uninstalled ones and
 * ones whose token Shopify refused are left alone until they are installed again.
 */
export async function shopsWithPendingSummaries(db: Db, now = Date.now()): Promise<string[]> {
  const rows = await db.$queryRaw<{ shopDomain: string }[]>`
    SELECT "domain" AS "shopDomain" FROM "Shop"
    WHERE "uninstalledAt" IS NULL AND "syncBlockedAt" IS NULL AND "domain" IN (SELECT "shop" FROM "Session")
      AND ("programPublishedHash" IS NULL OR "domain" IN (
        SELECT "shopDomain" FROM "Member"
        WHERE "summaryVersion" > "summarySyncedVersion"
          AND ("summaryRetryAt" IS NULL OR "summaryRetryAt" <= ${BigInt(now)})
          AND ("summaryGaveUpVersion" IS NULL OR "summaryVersion" > "summaryGaveUpVersion")))`;
  return rows.map((row) => row.shopDomain);
}
