// How many points an amount earns. Pure integer arithmetic, floored once at the end.
import type { EarningRule } from "./program";

export interface EarningRate extends EarningRule {
  /** VIP tier multiplier in percent (100 = ×1). */
  multiplierPct: number;
}

export function earningRate(rule: EarningRule, multiplierPct = 100): EarningRate {
  return { points: rule.points, perMajorUnits: rule.perMajorUnits, multiplierPct };
}

/** Points for an eligible amount in minor units of a currency with `exponent` decimals. */
export function pointsForAmount(eligibleMinor: number | bigint, exponent: number, rate: EarningRate): number {
  if (eligibleMinor <= 0) return 0;
  const numerator = BigInt(eligibleMinor) * BigInt(rate.points) * BigInt(rate.multiplierPct);
  const denominator = BigInt(rate.perMajorUnits) * 10n ** BigInt(exponent) * 100n;
  return Number(numerator / denominator);
}
