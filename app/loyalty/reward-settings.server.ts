// The merchant's rewards: create, edit, turn on and off, delete one nobody redeemed. Each save is
// a program version (program-versions.server.ts). A reward that has redemptions is never
// deleted (a redemption keeps its own copy of the reward, but the merchant's reports name it).
import type { Db } from "~/db.server";
import { fieldErrorsFrom, type FieldErrors } from "./field-errors";
import { commitProgramChange } from "./program-versions.server";
import { rewardSchema, type Reward, type RewardKind, type RewardRow } from "./rewards";

/** A reward as the merchant enters it: the reward without its id. */
export type RewardInput = Omit<Reward, "id">;


export type RewardSaveResult = { ok: true; rewardId: number; version: number } | { ok: false; fieldErrors: FieldErrors } | { ok: false; notFound: true };

export interface RewardListItem {
  id: number;
  title: string;
  kind: RewardKind;
  costPoints: number;
  enabled: boolean;
  tierId: number | null;
  redemptions: number;
}

/** Every reward of the shop, on and off, in display order, with how often each was redeemed. */
export async function listRewards(db: Db, shopDomain: string): Promise<RewardListItem[]> {
  const [rows, counts] = await Promise.all([
    db.reward.findMany({ where: { shopDomain }, orderBy: [{ position: "asc" }, { id: "asc" }] }),
    db.redemption.groupBy({ by: ["rewardId"], where: { shopDomain }, _count: { _all: true } }),
  ]);
  const redeemed = new Map(counts.map((count) => [count.rewardId, count._count._all]));
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    kind: row.kind as RewardKind,
    costPoints: row.costPoints,
    enabled: row.enabled,
    tierId: row.tierId,
    redemptions: redeemed.get(row.id) ?? 0,
  }));
}

/** The shop's reward, or null when there is none with that id in this shop. */
export async function findReward(db: Db, shopDomain: string, rewardId: number): Promise<RewardRow | null> {
  return db.reward.findFirst({ where: { id: rewardId, shopDomain } });
}

/** The reward the input makes, or field errors for what the reward rules refuse (rewards.ts). */
export function rewardFieldErrors(input: unknown): { reward: Reward; fieldErrors: null } | { reward: null; fieldErrors: FieldErrors } {
  const parsed = rewardSchema.safeParse({ ...(input as object), id: 0 });
  return parsed.success ? { reward: parsed.data, fieldErrors: null } : { reward: null, fieldErrors: fieldErrorsFrom(parsed.error) };
}

/** Creates (rewardId null) or replaces a reward of the shop. */
export async function saveReward(
  db: Db,
  shopDomain: string,
  rewardId: number | null,
  input: unknown,
  options: { actor: string; expectedVersion?: number },
): Promise<RewardSaveResult> {
  const checked = rewardFieldErrors(input);
  if (!checked.reward) return { ok: false, fieldErrors: checked.fieldErrors };
  const reward = checked.reward;
  type Outcome = { rewardId: number } | { fieldErrors: FieldErrors } | { notFound: true };
  const committed = await commitProgramChange<Outcome>(db, shopDomain, { ...options, change: `reward:${rewardId ?? 0}` }, async (tx, program) => {
    if (reward.tierId !== null && !(await tx.tier.findFirst({ where: { id: reward.tierId, shopDomain }, select: { id: true } }))) {
      throw new RewardRefused({ fieldErrors: { tierId: { key: "errorTierUnknown" } } });
    }
    const data = rewardColumns(reward);
    if (rewardId === null) {
      const position = (await tx.reward.aggregate({ where: { shopDomain }, _max: { position: true } }))._max.position ?? -1;
      const created = await tx.reward.create({ data: { ...data, shopDomain, position: position + 1 } });
      return { program, result: { rewardId: created.id }, change: `reward:${created.id}` };
    }
    const updated = await tx.reward.updateMany({ where: { id: rewardId, shopDomain }, data });
    if (updated.count !== 1) throw new RewardRefused({ notFound: true });
    return { program, result: { rewardId } };
  }).catch((error: unknown) => {
    if (error instanceof RewardRefused && !("hasRedemptions" in error.outcome)) return { version: 0, result: error.outcome };
    throw error;
  });
  const result = committed.result;
  if ("rewardId" in result) return { ok: true, rewardId: result.rewardId, version: committed.version };
  return { ok: false, ...result };
}

/** Turns a reward on or off (a reward that was redeemed is turned off, never deleted). */
export async function setRewardEnabled(db: Db, shopDomain: string, rewardId: number, enabled: boolean, options: { actor: string }): Promise<boolean> {
  return commitProgramChange(db, shopDomain, { ...options, change: `reward:${rewardId}` }, async (tx, program) => {
    const updated = await tx.reward.updateMany({ where: { id: rewardId, shopDomain }, data: { enabled } });
    if (updated.count !== 1) throw new RewardRefused({ notFound: true });
    return { program, result: true };
  }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof RewardRefused) return false;
      throw error;
    },
  );
}

export type RewardDeleteResult = "deleted" | "not_found" | "has_redemptions";

/** Deletes a reward nobody has redeemed; one with redemptions can only be turned off. */
export async function deleteReward(db: Db, shopDomain: string, rewardId: number, options: { actor: string }): Promise<RewardDeleteResult> {
  try {
    await commitProgramChange(db, shopDomain, { ...options, change: `reward:${rewardId}` }, async (tx, program) => {
      if ((await tx.redemption.count({ where: { shopDomain, rewardId } })) > 0) throw new RewardRefused({ hasRedemptions: true });
      const deleted = await tx.reward.deleteMany({ where: { id: rewardId, shopDomain } });
      if (deleted.count !== 1) throw new RewardRefused({ notFound: true });
      return { program, result: null };
    });
    return "deleted";
  } catch (error) {
    if (!(error instanceof RewardRefused)) throw error;
    return "notFound" in error.outcome ? "not_found" : "has_redemptions";
  }
}

/** Rolls a save back with what to tell the merchant. */
class RewardRefused extends Error {
  constructor(readonly outcome: { fieldErrors: FieldErrors } | { notFound: true } | { hasRedemptions: true }) {
    super("reward refused");
  }
}

/** The reward's columns (Reward table) from a validated reward; kind-specific columns are cleared when unused. */
export function rewardColumns(reward: Reward) {
  return {
    title: reward.title,
    kind: reward.kind,
    costPoints: reward.costPoints,
    enabled: reward.enabled,
    minimumSubtotalMinor: reward.minimumSubtotalMinor,
    codeExpiryDays: reward.codeExpiryDays,
    combinesWithOrder: reward.combinesWith.order,
    combinesWithProduct: reward.combinesWith.product,
    combinesWithShipping: reward.combinesWith.shipping,
    tierId: reward.tierId,
    amountMinor: "amountMinor" in reward ? reward.amountMinor : null,
    percentage: reward.kind === "percentage" ? reward.percentage : null,
    variantGid: reward.kind === "free_product" ? reward.variantGid : null,
    minPoints: reward.kind === "variable" ? reward.minPoints : null,
    maxPoints: reward.kind === "variable" ? reward.maxPoints : null,
    stepPoints: reward.kind === "variable" ? reward.stepPoints : null,
  };
}
