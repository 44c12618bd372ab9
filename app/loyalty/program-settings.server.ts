// The program page's save: earning rule and pending period, bonuses, referral offer and fraud limits, redemption
// limits, how tiers count, and the widget's texts and colours, validated as one program and
// committed as one version (program-versions.server.ts).
import { z } from "zod";
import type { Db } from "~/db.server";
import { fieldErrorsFrom, type FieldErrors } from "./field-errors";
import {
  appearanceSchema,
  earningRuleSchema,
  programSchema,
  redemptionSettingsSchema,
  referralSettingsSchema,
  tierSettingsSchema,
  type Program,
} from "./program";
import { commitProgramChange, StaleProgramError } from "./program-versions.server";
import { flagMembersForTierRecalc } from "./tier-settings.server";

/** What the program page edits: every setting it shows, none it does not. */
export const programSettingsSchema = z.object({
  name: programSchema.shape.name,
  earning: earningRuleSchema,
  pendingDays: programSchema.shape.pendingDays,
  expiryDays: programSchema.shape.expiryDays,
  signupPoints: z.number().int().min(0).max(1_000_000),
  birthdayPoints: z.number().int().min(0).max(1_000_000),
  referrals: referralSettingsSchema,
  redemption: redemptionSettingsSchema,
  tiers: tierSettingsSchema,
  appearance: appearanceSchema,
});

export type ProgramSettings = z.infer<typeof programSettingsSchema>;

export function programSettingsOf(program: Program): ProgramSettings {
  const { name, earning, pendingDays, expiryDays, signupPoints, birthdayPoints, referrals, redemption, tiers, appearance } = program;
  return { name, earning, pendingDays, expiryDays, signupPoints, birthdayPoints, referrals, redemption, tiers, appearance };
}

export type ProgramSaveResult =
  | { ok: true; version: number; program: Program; tierRulesChanged: boolean }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; stale: true; currentVersion: number };

export async function saveProgramSettings(
  db: Db,
  shopDomain: string,
  input: unknown,
  options: { actor: string; expectedVersion?: number; now?: Date },
): Promise<ProgramSaveResult> {
  const parsed = programSettingsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error) };
  const settings = parsed.data;
  try {
    const committed = await commitProgramChange(db, shopDomain, { ...options, change: "program" }, async (tx, program) => {
      const tierRulesChanged = program.tiers.basis !== settings.tiers.basis || program.tiers.period !== settings.tiers.period;
      if (tierRulesChanged) await flagMembersForTierRecalc(tx, shopDomain);
      return { program: { ...program, ...settings }, result: tierRulesChanged };
    });
    return { ok: true, version: committed.version, program: committed.program, tierRulesChanged: committed.result };
  } catch (error) {
    if (error instanceof StaleProgramError) return { ok: false, stale: true, currentVersion: error.currentVersion };
    throw error;
  }
}
