// Which program was in force when. Every save of the program, a reward or a tier is a new
// version; an order earns under the version in force at its processed_at, whenever its webhook
// arrives. Pure: the order ledger asks the same question in SQL (ledger.server.ts), and the tests
// hold it to this function.
import type { EarningRule } from "./program";

export interface EarningVersion {
  version: number;
  /** In force from this instant (epoch ms). */
  effectiveAtMs: number;
  earning: EarningRule;
}

/**
 * The earning rule in force at `atMs`: the newest version that took effect at or before it (of
 * two at the same instant, the later save). `current` when no version had taken effect (a shop
 * whose merchant never saved has only its current program).
 */
export function earningRuleAt(versions: readonly EarningVersion[], atMs: number, current: EarningRule): EarningRule {
  let found: EarningVersion | null = null;
  for (const candidate of versions) {
    if (candidate.effectiveAtMs > atMs) continue;
    if (!found || candidate.effectiveAtMs > found.effectiveAtMs || (candidate.effectiveAtMs === found.effectiveAtMs && candidate.version > found.version)) {
      found = candidate;
    }
  }
  return found?.earning ?? current;
}

/** What a save changed, as its version records it. */
export type ProgramChange = "initial" | "program" | `reward:${number}` | `tier:${number}` | "tiers" | `action:${number}`;

/** A tier as a program version recorded it. */
export interface VersionedTier {
  id: number;
  multiplierPercent: number;
  /** The threshold then (every snapshot records it; optional for the type's older readers). */
  thresholdPoints?: number;
}

export interface TierVersion {
  version: number;
  effectiveAtMs: number;
  /** Null: a version recorded before tiers were versioned. */
  tiers: readonly VersionedTier[] | null;
}

/** The version in force at `atMs` as earningRuleAt finds it (of two at one instant, the later save). */
function versionAt(versions: readonly TierVersion[], atMs: number): TierVersion | null {
  let inForce: TierVersion | null = null;
  for (const candidate of versions) {
    if (candidate.effectiveAtMs > atMs) continue;
    if (!inForce || candidate.effectiveAtMs > inForce.effectiveAtMs || (candidate.effectiveAtMs === inForce.effectiveAtMs && candidate.version > inForce.version)) inForce = candidate;
  }
  return inForce;
}

/**
 * The multiplier of tier `tierId` for an order placed at `atMs`: as the version in force then
 * recorded it, so that a change of a tier's multiplier does not reach orders placed before it.
 * The current one when that version did not know the tier (a tier added since applies as it is:
 * the demo's and merchants' first tiers are saved after orders they should count) or records no
 * tiers (a shop that never saved, or versions from before tiers were).
 */
export function tierMultiplierAt(versions: readonly TierVersion[], atMs: number, tierId: number, currentPercent: number): number {
  return versionAt(versions, atMs)?.tiers?.find((tier) => tier.id === tierId)?.multiplierPercent ?? currentPercent;
}

/**
 * The threshold of tier `tierId` at `atMs`, as the version in force then recorded it: raising a
 * threshold does not take a tier away from orders placed before the change (the tier held at an
 * order's placement is read against the thresholds of that moment). The current one under the
 * same conditions as tierMultiplierAt.
 */
export function tierThresholdAt(versions: readonly TierVersion[], atMs: number, tierId: number, currentThreshold: number): number {
  return versionAt(versions, atMs)?.tiers?.find((tier) => tier.id === tierId)?.thresholdPoints ?? currentThreshold;
}

/**
 * Whether every one of `current` tiers applies to an order placed under a version that recorded
 * `recorded` as it applies now: tierMultiplierAt and tierThresholdAt give the current multiplier
 * and threshold (the version recorded the same, or did not know the tier).
 */
export function tiersAsRecorded(recorded: readonly VersionedTier[] | null, current: readonly { id: number; thresholdPoints: number; multiplierPercent: number }[]): boolean {
  const version: TierVersion[] = [{ version: 0, effectiveAtMs: 0, tiers: recorded }];
  return current.every(
    (tier) => tierMultiplierAt(version, 0, tier.id, tier.multiplierPercent) === tier.multiplierPercent && tierThresholdAt(version, 0, tier.id, tier.thresholdPoints) === tier.thresholdPoints,
  );
}
