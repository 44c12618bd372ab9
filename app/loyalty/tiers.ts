// VIP tiers: thresholds on lifetime points. No tiers until the merchant adds them.
export interface TierDefinition {
  id: number;
  name: string;
  thresholdPoints: number;
  multiplierPercent: number;
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
