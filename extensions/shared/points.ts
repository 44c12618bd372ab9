// Pure rules the extensions show: which rewards a member can spend on, and what an order earns.
import type { Member, Program, Reward } from "./types";

/** The points a redeem of `reward` spends for `member` (the most a variable reward allows), or null when they cannot. */
export function pointsToSpend(reward: Reward, member: Member, tiers: Program["tiers"]): number | null {
  if (reward.tierId !== null) {
    const needed = tiers.find((tier) => tier.id === reward.tierId);
    if (!needed || !member.tier || member.tier.thresholdPoints < needed.thresholdPoints) return null;
  }
  const variable = reward.variable;
  if (!variable) return member.balance >= reward.costPoints ? reward.costPoints : null;
  const most = Math.min(variable.maxPoints, Math.floor(member.balance / variable.stepPoints) * variable.stepPoints);
  return most >= variable.minPoints ? most : null;
}

/**
 * An estimate of what `amount` (a decimal in `currency`) earns under the program, at the member's
 * tier multiplier; null when the amount is not in the shop's currency (Tally counts shop money).
 * Integer arithmetic, floored once, as the app does (app/loyalty/earning.ts).
 */
export function estimatedPoints(amount: number, currency: string, program: Program, multiplierPercent = 100): number | null {
  if (!program.currency || currency !== program.currency || !(amount > 0)) return null;
  // Whole numbers well inside 2^53; (n - n % d) / d is floor(n / d) exactly. (No BigInt: Shopify
  // CLI bundles for ES2015.)
  const numerator = Math.round(amount * 100) * program.earning.points * multiplierPercent;
  const denominator = program.earning.perMajorUnits * 10_000;
  return (numerator - (numerator % denominator)) / denominator;
}
