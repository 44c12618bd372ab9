// VIP tiers: thresholds on lifetime points. No tiers until the merchant adds them.
export interface TierDefinition {
  id: number;
  name: string;
  thresholdPoints: number;
  multiplierPercent: number;
}

/** A tier with its entry perks (README "VIP tiers"), as the admin and the shop cache read it. */
export interface TierWithPerks extends TierDefinition {
  /** Bonus points on reaching the tier (0: none). */
  entryBonusPoints: number;
  /** A reward of the shop issued at no cost on reaching the tier; null: none (or deleted since). */
  entryReward: { id: number; title: string } | null;
  /** The entry reward's id as stored, kept when the reward was deleted since (the recalculation then still treats the tier as one with perks). */
  entryRewardId: number | null;
}

export interface TierProgress {
  tier: TierDefinition | null;
  nextTier: TierDefinition | null;
  /** Toward the next tier; null at the top tier or when the program has none. */
  progress: { current: number; target: number; remaining: number; percent: number } | null;
}

export function tierProgress(lifetimePoints: number, tiers: readonly TierDefinition[]): TierProgress {
  const sorted = [...tiers].sort((a, b) => a.thresholdPoints - b.thresholdPoints);
  let tier: TierDefinition | null = null;
  let nextTier: TierDefinition | null = null;
  for (const candidate of sorted) {
    if (lifetimePoints >= candidate.thresholdPoints) tier = candidate;
    else {
      nextTier = candidate;
      break;
    }
  }
  if (!nextTier) return { tier, nextTier: null, progress: null };
  const current = Math.max(0, lifetimePoints);
  const target = nextTier.thresholdPoints;
  return {
    tier,
    nextTier,
    progress: {
      current,
      target,
      remaining: target - current,
      percent: Math.min(100, Math.floor((current * 100) / target)),
    },
  };
}

/** What the storefront shows of tiers: what thresholds count, and the currency's decimals for amounts. */
export interface TierScale {
  tiers: readonly TierDefinition[];
  basis: "points" | "amount";
  /** ISO 4217 exponent of the shop currency: an amount threshold of 500 is 500 × 10^exponent minor units. */
  exponent: number;
}

export interface HeldTierProgress {
  tier: TierDefinition | null;
  nextTier: TierDefinition | null;
  /**
   * Toward the next tier; null at the top tier or when the program has none. In points, or for an
   * amount basis in minor units of the shop currency.
   */
  progress: {
    basis: "points" | "amount";
    current: number;
    target: number;
    remaining: number;
    percent: number;
    /** For an amount basis, `remaining` as a decimal in the shop currency ("12.50"); else null. */
    remainingAmount: string | null;
  } | null;
}

/**
 * The tier a member holds and their progress to the next, as the tier recalculation left them
 * (Member.tierId and tierActivity): the held tier keeps a downgrade for the period's end, and
 * progress counts the current period's activity on the program's basis.
 */
export function heldTierProgress(member: { tierId: number | null; tierActivity: number }, scale: TierScale): HeldTierProgress {
  const sorted = [...scale.tiers].sort((a, b) => a.thresholdPoints - b.thresholdPoints);
  const tier = member.tierId === null ? null : (sorted.find((candidate) => candidate.id === member.tierId) ?? null);
  const nextTier = sorted.find((candidate) => candidate.thresholdPoints > (tier?.thresholdPoints ?? -1)) ?? null;
  if (!nextTier) return { tier, nextTier: null, progress: null };
  const target = scale.basis === "points" ? nextTier.thresholdPoints : nextTier.thresholdPoints * 10 ** scale.exponent;
  const current = Math.max(0, Math.min(member.tierActivity, target));
  return {
    tier,
    nextTier,
    progress: {
      basis: scale.basis,
      current,
      target,
      remaining: target - current,
      percent: target === 0 ? 100 : Math.min(100, Math.floor((current * 100) / target)),
      remainingAmount: scale.basis === "amount" ? decimalOf(target - current, scale.exponent) : null,
    },
  };
}

/**
 * The tier a delivery guesses a new order earns under: the tier the member holds (as the tier
 * recalculation last left it), or a higher one their counted activity already reaches. The
 * recalculation corrects the guess when the order's place in the member's timeline says
 * otherwise; counting the same activity as it does keeps those corrections rare.
 */
export function tierForNewOrder(member: { tierId: number | null; tierActivity: number }, scale: TierScale): TierDefinition | null {
  const threshold = (tier: TierDefinition) => (scale.basis === "points" ? tier.thresholdPoints : tier.thresholdPoints * 10 ** scale.exponent);
  let guess = member.tierId === null ? null : (scale.tiers.find((tier) => tier.id === member.tierId) ?? null);
  for (const tier of scale.tiers) {
    if (threshold(tier) <= member.tierActivity && (guess === null || tier.thresholdPoints > guess.thresholdPoints)) guess = tier;
  }
  return guess;
}

/** Whether the held tier is `requiredTierId` or above (tier-only rewards); a deleted tier is held by nobody. */
export function holdsTier(heldTierId: number | null, requiredTierId: number, tiers: readonly TierDefinition[]): boolean {
  const required = tiers.find((tier) => tier.id === requiredTierId);
  const held = heldTierId === null ? undefined : tiers.find((tier) => tier.id === heldTierId);
  return required !== undefined && held !== undefined && held.thresholdPoints >= required.thresholdPoints;
}

function decimalOf(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, "0");
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
