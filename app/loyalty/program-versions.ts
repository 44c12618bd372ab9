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
