// The merchant's VIP tiers: create, edit, delete. Each save is a program version
// (program-versions.server.ts) and flags the shop's members for the tier recalculation
// (tier-recalc.server.ts), in the same transaction: who holds which tier, and which tier each
// order earns under, follow the new thresholds. The caller asks for the recalculation job after
// the commit (app/jobs/tier-jobs.server.ts); the tier sweep finds flagged members if it cannot.
import { z } from "zod";
import type { Db, Prisma } from "~/db.server";
import { commitProgramChange } from "./program-versions.server";
import { fieldErrorsFrom, type FieldErrors } from "./field-errors";
import type { TierWithPerks } from "./tiers";

export const tierInputSchema = z.object({
  name: z.string().trim().min(1).max(60),
  /** Base points earned (or whole units of currency spent, with an amount basis) to reach it. */
  thresholdPoints: z.number().int().min(1).max(100_000_000),
  /** Earning multiplier in percent: 100 = ×1, 150 = ×1.5. */
  multiplierPercent: z.number().int().min(100).max(1_000),
  /** Entry perks: bonus points on reaching the tier (0: none) and a reward issued at no cost (null: none). */
  entryBonusPoints: z.number().int().min(0).max(1_000_000).default(0),
  entryRewardId: z.number().int().min(1).max(2_147_483_647).nullable().default(null),
});

export type TierInput = z.infer<typeof tierInputSchema>;

export type TierSaveResult = { ok: true; tierId: number; version: number } | { ok: false; fieldErrors: FieldErrors } | { ok: false; notFound: true };

export function listTiers(db: Db, shopDomain: string): Promise<TierWithPerks[]> {
  return tierDefinitions(db, shopDomain);
}

/** The shop's tiers, lowest first, with their entry perks (the entry reward's title read with them). */
export async function tierDefinitions(db: Db | Prisma.TransactionClient, shopDomain: string): Promise<TierWithPerks[]> {
  const rows = await db.tier.findMany({ where: { shopDomain }, orderBy: { thresholdPoints: "asc" } });
  const rewardIds = rows.flatMap((row) => (row.entryRewardId === null ? [] : [row.entryRewardId]));
  const rewards = rewardIds.length === 0 ? [] : await db.reward.findMany({ where: { shopDomain, id: { in: rewardIds } }, select: { id: true, title: true } });
  return rows.map(({ id, name, thresholdPoints, multiplierPercent, entryBonusPoints, entryRewardId }) => ({
    id,
    name,
    thresholdPoints,
    multiplierPercent,
    entryBonusPoints,
    entryReward: rewards.find((reward) => reward.id === entryRewardId) ?? null,
    entryRewardId,
  }));
}

/** Creates (tierId null) or changes a tier of the shop. */
export async function saveTier(db: Db, shopDomain: string, tierId: number | null, input: unknown, options: { actor: string; now?: Date }): Promise<TierSaveResult> {
  const parsed = tierInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error) };
  const tier = parsed.data;
  try {
    const committed = await commitProgramChange(db, shopDomain, { ...options, change: `tier:${tierId ?? 0}` }, async (tx, program) => {
      const clash = await tx.tier.findFirst({ where: { shopDomain, thresholdPoints: tier.thresholdPoints, ...(tierId === null ? {} : { id: { not: tierId } }) } });
      if (clash) throw new TierRefused({ fieldErrors: { thresholdPoints: { key: "errorThresholdTaken", values: { tier: clash.name } } } });
      if (tier.entryRewardId !== null) {
        // Another shop's reward reads as unknown; a variable reward's value depends on the points spent.
        const reward = await tx.reward.findFirst({ where: { id: tier.entryRewardId, shopDomain }, select: { kind: true } });
        if (!reward) throw new TierRefused({ fieldErrors: { entryRewardId: { key: "errorChoice" } } });
        if (reward.kind === "variable") throw new TierRefused({ fieldErrors: { entryRewardId: { key: "errorChoice" } } });
      }
      let id = tierId;
      const before = id === null ? null : await tx.tier.findFirst({ where: { id, shopDomain }, select: { name: true } });
      if (id === null) id = (await tx.tier.create({ data: { ...tier, shopDomain } })).id;
      else if ((await tx.tier.updateMany({ where: { id, shopDomain }, data: tier })).count !== 1) throw new TierRefused({ notFound: true });
      // A new name is a new tag and tally.tier value for the members holding it (the summary sync).
      if (before && before.name !== tier.name) await tx.member.updateMany({ where: { shopDomain, tierId: id }, data: { summaryVersion: { increment: 1 } } });
      await flagMembersForTierRecalc(tx, shopDomain);
      return { program, result: id, change: `tier:${id}` as const };
    });
    return { ok: true, tierId: committed.result, version: committed.version };
  } catch (error) {
    if (error instanceof TierRefused && "fieldErrors" in error.outcome) return { ok: false, fieldErrors: error.outcome.fieldErrors };
    if (error instanceof TierRefused) return { ok: false, notFound: true };
    throw error;
  }
}

export type TierDeleteResult = "deleted" | "not_found" | { restrictedRewards: string[] };

/** Deletes a tier; refused while rewards are kept for it (the merchant changes them first). */
export async function deleteTier(db: Db, shopDomain: string, tierId: number, options: { actor: string }): Promise<TierDeleteResult> {
  try {
    await commitProgramChange(db, shopDomain, { ...options, change: `tier:${tierId}` }, async (tx, program) => {
      const restricted = await tx.reward.findMany({ where: { shopDomain, tierId }, select: { title: true } });
      if (restricted.length > 0) throw new TierRefused({ restrictedRewards: restricted.map((reward) => reward.title) });
      if ((await tx.tier.deleteMany({ where: { id: tierId, shopDomain } })).count !== 1) throw new TierRefused({ notFound: true });
      // Their summary, tag and tally.tier follow (the summary sync).
      await tx.member.updateMany({ where: { shopDomain, tierId }, data: { tierId: null, summaryVersion: { increment: 1 } } });
      await flagMembersForTierRecalc(tx, shopDomain);
      return { program, result: null };
    });
    return "deleted";
  } catch (error) {
    if (!(error instanceof TierRefused)) throw error;
    if ("restrictedRewards" in error.outcome) return { restrictedRewards: error.outcome.restrictedRewards };
    return "not_found";
  }
}

/**
 * Every member who has earned or holds a tier is recalculated: thresholds, multipliers, the
 * basis or the period changed. Members who never earned hold no tier under any thresholds.
 */
export async function flagMembersForTierRecalc(tx: Prisma.TransactionClient, shopDomain: string): Promise<number> {
  const flagged = await tx.member.updateMany({
    where: { shopDomain, tierPending: false, OR: [{ lifetimeEarned: { gt: 0 } }, { tierId: { not: null } }] },
    data: { tierPending: true },
  });
  return flagged.count;
}

class TierRefused extends Error {
  constructor(readonly outcome: { fieldErrors: FieldErrors } | { notFound: true } | { restrictedRewards: string[] }) {
    super("tier refused");
  }
}
