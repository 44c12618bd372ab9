// Gives a member a tier's entry perks (README "VIP tiers"), inside the transaction in which the
// tier recalculation records their new tier, so that the tier change and its perks commit
// together or not at all. Once per member per tier per period (tier-perks.ts): the grant row is
// unique on (member, tier, period), and the recalculation only calls this on a change of the
// held tier it claimed with a conditional update, so a second run, a duplicate delivery or a
// refund that lowers progress (the tier is kept) gives nothing again.
//
// The bonus is a ledger row keyed `tier-entry:<grant>:bonus` (available at once: it is not an
// order's points). The reward is a Redemption at no cost, left pending and due at once for the
// redemption-settle job (app/shopify/redemption-jobs.server.ts), which looks its code up at
// Shopify and creates it if missing, exactly as for a redeem whose answer was lost: a refusal
// fails it (nothing to give back), an unknown outcome is retried with backoff.
import { randomBytes } from "node:crypto";
import type { Prisma } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { currencyExponent } from "./money";
import { codeExpiry, isRefusal, newDiscountCode, redemptionValue, rewardFromRow } from "./rewards";
import { entryPeriodKey, hasEntryPerks, ROLLING_GRANT_GAP_MS, type TierPerkDefinition } from "./tier-perks";
import type { TierPeriod } from "./tier-timeline";

export interface TierEntry {
  shopDomain: string;
  memberId: number;
  tiers: readonly (TierPerkDefinition & { name: string })[];
  period: TierPeriod;
  timeZone: string | null;
  currency: string | null;
  now: Date;
}

export interface TierEntryGrants {
  /** Tiers whose perks were given. */
  granted: number;
  bonusPoints: number;
  /** Reward redemptions waiting for the redemption-settle job. */
  rewardsQueued: number;
}

export async function grantTierEntryPerks(tx: Prisma.TransactionClient, entry: TierEntry): Promise<TierEntryGrants> {
  const result: TierEntryGrants = { granted: 0, bonusPoints: 0, rewardsQueued: 0 };
  const periodKey = entryPeriodKey(entry.period, entry.now, entry.timeZone);
  for (const tier of entry.tiers) {
    if (!hasEntryPerks(tier)) continue;
    if (entry.period === "rolling_12_months") {
      const recent = await tx.tierEntryGrant.findFirst({
        where: { memberId: entry.memberId, tierId: tier.id, createdAt: { gt: new Date(entry.now.getTime() - ROLLING_GRANT_GAP_MS) } },
        select: { id: true },
      });
      if (recent) continue;
    }
    const existing = await tx.tierEntryGrant.findUnique({ where: { memberId_tierId_periodKey: { memberId: entry.memberId, tierId: tier.id, periodKey } }, select: { id: true } });
    if (existing) continue;
    const grant = await tx.tierEntryGrant.create({
      data: { shopDomain: entry.shopDomain, memberId: entry.memberId, tierId: tier.id, periodKey, bonusPoints: tier.entryBonusPoints, createdAt: entry.now },
    });
    result.granted++;
    if (tier.entryBonusPoints > 0) {
      await writeBalanceChange(tx, {
        shopDomain: entry.shopDomain,
        memberId: entry.memberId,
        delta: tier.entryBonusPoints,
        kind: "tier_bonus",
        sourceType: "tier",
        sourceId: String(tier.id),
        actor: "job:tier-recalc",
        note: `reached ${tier.name}`.slice(0, 255),
        idempotencyKey: `tier-entry:${grant.id}:bonus`,
        earned: true,
      });
      result.bonusPoints += tier.entryBonusPoints;
    }
    if (tier.entryRewardId !== null) {
      const redemptionId = await queueEntryReward(tx, { ...entry, tierName: tier.name }, tier.entryRewardId);
      if (redemptionId !== null) {
        await tx.tierEntryGrant.update({ where: { id: grant.id }, data: { redemptionId } });
        result.rewardsQueued++;
      }
    }
  }
  return result;
}

/**
 * The entry reward as a pending redemption at no cost, due for the settle job now. Null when the
 * reward cannot be issued: deleted or invalid since, a variable reward (its value depends on the
 * points spent, so the admin refuses it), or store credit while the shop's currency is unknown.
 */
async function queueEntryReward(tx: Prisma.TransactionClient, entry: TierEntry & { tierName: string }, rewardId: number): Promise<number | null> {
  const row = await tx.reward.findFirst({ where: { id: rewardId, shopDomain: entry.shopDomain } });
  const reward = row ? rewardFromRow(row) : null;
  if (!reward || reward.kind === "variable") return null;
  if (reward.kind === "store_credit" && !entry.currency) return null;
  const value = redemptionValue(reward, undefined);
  if (isRefusal(value)) return null;
  const issuesCode = reward.kind !== "store_credit";
  const redemption = await tx.redemption.create({
    data: {
      shopDomain: entry.shopDomain,
      memberId: entry.memberId,
      rewardId: reward.id,
      kind: reward.kind,
      title: reward.title,
      reward: JSON.stringify(reward),
      pointsSpent: 0n,
      amountMinor: value.amountMinor === null ? null : BigInt(value.amountMinor),
      amountExponent: entry.currency ? currencyExponent(entry.currency) : 2,
      percentage: value.percentage,
      currency: entry.currency,
      status: "pending",
      code: issuesCode ? newDiscountCode(randomBytes(10)) : null,
      expiresAt: issuesCode ? codeExpiry(reward, entry.now) : null,
      // No attempt yet: the settle job's first claim is the first (and, for store credit, the
      // credit transactions it may find are those after this instant).
      attempts: 0,
      settleAfter: BigInt(entry.now.getTime()),
      attemptStartedAt: entry.now,
      createdAt: entry.now,
    },
  });
  // Its redeem row, as every redemption has one (verify checks it): 0 points spent.
  await writeBalanceChange(tx, {
    shopDomain: entry.shopDomain,
    memberId: entry.memberId,
    delta: 0,
    kind: "redeem",
    sourceType: "reward",
    sourceId: String(redemption.id),
    actor: "job:tier-recalc",
    note: `${reward.title} (entry reward of ${entry.tierName})`.slice(0, 255),
    idempotencyKey: `redemption:${redemption.id}:redeem`,
    earned: false,
  });
  return redemption.id;
}
