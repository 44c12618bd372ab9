// Tier entry perks (README "VIP tiers"): what a member is given on reaching a tier, and when a
// reach counts as a new entry. Pure: the recalculation (tier-recalc.server.ts) decides, and
// tier-perks.server.ts writes the grant.
import { dayIn } from "./birthdays";
import type { TierPeriod } from "./tier-timeline";

export interface TierPerkDefinition {
  id: number;
  thresholdPoints: number;
  entryBonusPoints: number;
  entryRewardId: number | null;
}

/**
 * The tiers a member enters when their held tier goes from `fromTierId` to `toTierId`: every tier
 * above the old one up to the new one (a member who jumps from no tier to Gold also reached
 * Silver on the way), lowest first. A downgrade or no change enters none.
 */
export function tiersEntered<T extends { id: number; thresholdPoints: number }>(tiers: readonly T[], fromTierId: number | null, toTierId: number | null): T[] {
  if (toTierId === null) return [];
  const to = tiers.find((tier) => tier.id === toTierId);
  if (!to) return [];
  const from = fromTierId === null ? undefined : tiers.find((tier) => tier.id === fromTierId);
  const floor = from?.thresholdPoints ?? -1;
  if (to.thresholdPoints <= floor) return [];
  return tiers.filter((tier) => tier.thresholdPoints > floor && tier.thresholdPoints <= to.thresholdPoints).sort((a, b) => a.thresholdPoints - b.thresholdPoints);
}

export function hasEntryPerks(tier: Pick<TierPerkDefinition, "entryBonusPoints" | "entryRewardId">): boolean {
  return tier.entryBonusPoints > 0 || tier.entryRewardId !== null;
}

/** No second grant of a tier within this long, with rolling 12-month periods. */
export const ROLLING_GRANT_GAP_MS = 365 * 86_400_000;

/**
 * The period an entry at `at` belongs to: a tier's perks are given once per member per tier per
 * period. Lifetime: once ever. Calendar year: once per year (the shop's time zone) in which Tally
 * sees the member enter it. Rolling 12 months: the day of entry, and no second grant within 365
 * days of the last (checked by the writer).
 */
export function entryPeriodKey(period: TierPeriod, at: Date, timeZone: string | null): string {
  switch (period) {
    case "lifetime":
      return "lifetime";
    case "calendar_year":
      return String(dayIn(at, timeZone).year);
    case "rolling_12_months": {
      const day = dayIn(at, timeZone);
      return `${day.year}-${day.monthDay}`;
    }
  }
}

/** What a tier gives, as the storefront shows it (README "Storefront API"): additive to the tier's fields. */
export interface PublicTierPerks {
  /** The earning multiplier in percent (100 = ×1). */
  multiplierPercent: number;
  /** Bonus points on reaching the tier; 0: none. */
  entryBonusPoints: number;
  /** The reward issued at no cost on reaching the tier; null: none. */
  entryReward: { id: number; title: string } | null;
  /** Enabled rewards kept for this tier (members of higher tiers may redeem them too). */
  tierOnlyRewards: { id: number; title: string }[];
}

export interface PublicTier {
  id: number;
  name: string;
  thresholdPoints: number;
  multiplierPercent: number;
  /**
   * Always sent by the proxy; optional for readers of a program metafield written before perks
   * existed.
   */
  perks?: PublicTierPerks;
}

/** The shop's tiers with their perks, from the tiers and the shop's enabled rewards. */
export function publicTiers(
  tiers: readonly (PublicTier & { entryBonusPoints: number; entryReward: { id: number; title: string } | null })[],
  enabledRewards: readonly { id: number; title: string; tierId: number | null }[],
): PublicTier[] {
  return tiers.map(({ id, name, thresholdPoints, multiplierPercent, entryBonusPoints, entryReward }) => ({
    id,
    name,
    thresholdPoints,
    multiplierPercent,
    perks: {
      multiplierPercent,
      entryBonusPoints,
      entryReward,
      tierOnlyRewards: enabledRewards.filter((reward) => reward.tierId === id).map((reward) => ({ id: reward.id, title: reward.title })),
    },
  }));
}
