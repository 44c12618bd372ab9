// Custom one-off actions (earning-actions.ts): the merchant's actions, members' claims of them,
// and the points a claim pays. A claim is one row per (member, action), unique, and its points
// are one ledger row keyed action:<actionId>:<memberId>, written in the transaction that approves
// it (at once when the action needs no approval): never paid twice, whatever races.
import type { Db, Prisma } from "~/db.server";
import type { SqlConnection } from "~/sql.server";
import { rows, runSqlReads, type Query } from "~/sql-transaction.server";
import { writeBalanceChange } from "./balance-change.server";
import { actionLedgerKey, earningActionSchema, publicEarningAction, type ActionClaimStatus, type ActionClaimView, type EarningActionInput, type EarningActionKind, type PublicEarningAction } from "./earning-actions";
import { fieldErrorsFrom, type FieldErrors } from "./field-errors";
import { ensureMember, type CustomerProfile } from "./members.server";
import { commitProgramChange } from "./program-versions.server";
import { ensureShop } from "./shops.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

// ---------------------------------------------------------------------------------------------
// The merchant's actions (admin)

export interface EarningActionItem {
  id: number;
  kind: EarningActionKind;
  title: string;
  url: string | null;
  points: number;
  requiresApproval: boolean;
  enabled: boolean;
  /** Claims approved (paid) so far, and waiting for a decision. */
  approved: number;
  pending: number;
}

/** Every action of the shop, on and off, oldest first, with its claims counted. */
export async function listEarningActions(db: Db, shopDomain: string): Promise<EarningActionItem[]> {
  const [actions, counts] = await Promise.all([
    db.earningAction.findMany({ where: { shopDomain }, orderBy: { id: "asc" } }),
    db.actionClaim.groupBy({ by: ["actionId", "status"], where: { shopDomain }, _count: { _all: true } }),
  ]);
  const count = (actionId: number, status: ActionClaimStatus) => counts.find((group) => group.actionId === actionId && group.status === status)?._count._all ?? 0;
  return actions.map((action) => ({
    id: action.id,
    kind: action.kind as EarningActionKind,
    title: action.title,
    url: action.url,
    points: action.points,
    requiresApproval: action.requiresApproval,
    enabled: action.enabled,
    approved: count(action.id, "approved"),
    pending: count(action.id, "pending_approval"),
  }));
}

/** The shop's action, or null when there is none with that id in this shop. */
export function findEarningAction(db: Db, shopDomain: string, actionId: number) {
  return db.earningAction.findFirst({ where: { id: actionId, shopDomain } });
}

export function earningActionFieldErrors(input: unknown): { action: EarningActionInput; fieldErrors: null } | { action: null; fieldErrors: FieldErrors } {
  const parsed = earningActionSchema.safeParse(input);
  return parsed.success ? { action: parsed.data, fieldErrors: null } : { action: null, fieldErrors: fieldErrorsFrom(parsed.error) };
}

export type EarningActionSaveResult = { ok: true; actionId: number; version: number } | { ok: false; fieldErrors: FieldErrors } | { ok: false; notFound: true };

class ActionNotFound extends Error {
  constructor() {
    super("earning action not found");
  }
}

/**
 * Creates (actionId null) or replaces an action of the shop: a program version like a reward's
 * save, so every worker's cached public program changes at once. A claim already made keeps the
 * points it was made for.
 */
export async function saveEarningAction(db: Db, shopDomain: string, actionId: number | null, input: unknown, options: { actor: string }): Promise<EarningActionSaveResult> {
  const checked = earningActionFieldErrors(input);
  if (!checked.action) return { ok: false, fieldErrors: checked.fieldErrors };
  const data = checked.action;
  try {
    const committed = await commitProgramChange(db, shopDomain, { ...options, change: `action:${actionId ?? 0}` }, async (tx, program) => {
      if (actionId === null) {
        const created = await tx.earningAction.create({ data: { ...data, shopDomain } });
        return { program, result: created.id, change: `action:${created.id}` };
      }
      const updated = await tx.earningAction.updateMany({ where: { id: actionId, shopDomain }, data });
      if (updated.count !== 1) throw new ActionNotFound();
      return { program, result: actionId };
    });
    return { ok: true, actionId: committed.result, version: committed.version };
  } catch (error) {
    if (error instanceof ActionNotFound) return { ok: false, notFound: true };
    throw error;
  }
}

/** Turns an action on or off (actions are never deleted: their claims name them); false: not the shop's. */
export async function setEarningActionEnabled(db: Db, shopDomain: string, actionId: number, enabled: boolean, options: { actor: string }): Promise<boolean> {
  try {
    await commitProgramChange(db, shopDomain, { ...options, change: `action:${actionId}` }, async (tx, program) => {
      const updated = await tx.earningAction.updateMany({ where: { id: actionId, shopDomain }, data: { enabled } });
      if (updated.count !== 1) throw new ActionNotFound();
      return { program, result: null };
    });
    return true;
  } catch (error) {
    if (error instanceof ActionNotFound) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// What the storefront reads

/** The shop's enabled actions as the public program lists them, oldest first. */
export async function publicEarningActions(db: Db, shopDomain: string): Promise<PublicEarningAction[]> {
  const actions = await db.earningAction.findMany({ where: { shopDomain, enabled: true }, orderBy: { id: "asc" } });
  return actions.map(publicEarningAction);
}

// The public program is built once per cached shop (storefront.server.ts); so are its actions.
// An action's save bumps programVersion, which replaces the cached shop object.
const cachedActions = new WeakMap<object, Promise<PublicEarningAction[]>>();

/** publicEarningActions, read once per cached shop object. */
export function cachedPublicEarningActions(db: Db, cachedShop: { domain: string }): Promise<PublicEarningAction[]> {
  let actions = cachedActions.get(cachedShop);
  if (!actions) {
    actions = publicEarningActions(db, cachedShop.domain);
    cachedActions.set(cachedShop, actions);
    // A failed read is not kept: the next storefront read tries again.
    actions.catch(() => cachedActions.delete(cachedShop));
  }
  return actions;
}

/** The member's claims, oldest first (GET /apps/tally/customer `member.actionClaims`). */
export async function memberActionClaims(connection: SqlConnection, memberId: number): Promise<ActionClaimView[]> {
  const [found] = (await runSqlReads(connection, [memberActionClaimsRead(memberId)])) as [Record<string, unknown>[]];
  return actionClaimsOf(found);
}

/** memberActionClaims' statement, for a caller that sends it with its own reads. */
export function memberActionClaimsRead(memberId: number): Query {
  return rows(`SELECT "actionId", "status" FROM "ActionClaim" WHERE "memberId" = ? ORDER BY "id"`, [memberId]);
}

/** What memberActionClaimsRead returned. */
export function actionClaimsOf(found: readonly Record<string, unknown>[]): ActionClaimView[] {
  return found.map((claim) => ({ actionId: Number(claim.actionId), status: claim.status as ActionClaimStatus }));
}

/** memberActionClaims for many members at once (the storefront summaries written in one batch). */
export async function membersActionClaims(connection: SqlConnection, memberIds: readonly number[]): Promise<Map<number, ActionClaimView[]>> {
  const claims = new Map<number, ActionClaimView[]>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return claims;
  const [found] = (await runSqlReads(connection, [
    rows(`SELECT "memberId", "actionId", "status" FROM "ActionClaim" WHERE "memberId" IN (${memberIds.map(() => "?").join(", ")}) ORDER BY "id"`, [...memberIds]),
  ])) as [Record<string, unknown>[]];
  for (const claim of found) claims.get(Number(claim.memberId))?.push(...actionClaimsOf([claim]));
  return claims;
}

// ---------------------------------------------------------------------------------------------
// Claims

export type ClaimOutcome =
  | { ok: true; claim: ActionClaimView; credited: boolean }
  | { ok: false; status: 404 | 409 | 422; code: "unknown_action" | "already_claimed" | "not_claimable" | "program_disabled"; message: string; claim?: ActionClaimView };

/**
 * POST /apps/tally/actions/<id>/claim: the signed-in customer says they did the action. Paid at
 * once, or recorded for staff to approve. A second claim of the same action is refused with the
 * first one's status.
 */
export function claimEarningAction(db: Db, shopDomain: string, customerId: ShopifyId, actionId: number): Promise<ClaimOutcome> {
  return inTransaction(db, async (tx): Promise<ClaimOutcome> => {
    const { program } = await ensureShop(tx, shopDomain);
    const action = await tx.earningAction.findFirst({ where: { id: actionId, shopDomain } });
    if (!action || !action.enabled) return { ok: false, status: 404, code: "unknown_action", message: "There is no such action in this shop." };
    if (action.kind === "newsletter") {
      return { ok: false, status: 422, code: "not_claimable", message: "Newsletter points are given when you subscribe to the shop's emails." };
    }
    if (!program.enabled) return { ok: false, status: 422, code: "program_disabled", message: "The loyalty program is paused." };
    const member = await ensureMember(tx, shopDomain, customerId);
    const existing = await tx.actionClaim.findUnique({ where: { memberId_actionId: { memberId: member.id, actionId } }, select: { status: true } });
    if (existing) {
      const claim = { actionId, status: existing.status as ActionClaimStatus };
      return { ok: false, status: 409, code: "already_claimed", message: "You have already claimed this action.", claim };
    }
    const status = await recordClaim(tx, { shopDomain, action, memberId: member.id, actor: `customer:${customerId}` });
    return { ok: true, claim: { actionId, status }, credited: status === "approved" };
  });
}

/**
 * The claim row, and the points when no approval is needed. A race with the same claim in another
 * request hits the unique (member, action) key and the caller's transaction is retried (it then
 * finds this claim).
 */
async function recordClaim(
  tx: Prisma.TransactionClient,
  { shopDomain, action, memberId, actor }: { shopDomain: string; action: { id: number; points: number; requiresApproval: boolean }; memberId: number; actor: string },
): Promise<ActionClaimStatus> {
  const status: ActionClaimStatus = action.requiresApproval ? "pending_approval" : "approved";
  const now = new Date();
  await tx.actionClaim.create({
    data: { shopDomain, actionId: action.id, memberId, status, points: action.points, ...(status === "approved" ? { decidedAt: now, decidedBy: actor } : {}) },
  });
  if (status === "approved") {
    await creditClaim(tx, { shopDomain, actionId: action.id, memberId, points: action.points, actor });
  } else {
    // The storefront's summary shows the claim as waiting.
    await tx.member.update({ where: { id: memberId }, data: { summaryVersion: { increment: 1 } } });
  }
  return status;
}

function creditClaim(tx: Prisma.TransactionClient, { shopDomain, actionId, memberId, points, actor }: { shopDomain: string; actionId: number; memberId: number; points: number; actor: string }) {
  return writeBalanceChange(tx, {
    shopDomain,
    memberId,
    delta: points,
    kind: "action",
    sourceType: "action",
    sourceId: String(actionId),
    actor,
    idempotencyKey: actionLedgerKey(actionId, memberId),
    earned: true,
  });
}

export interface PendingClaim {
  id: number;
  actionId: number;
  actionTitle: string;
  points: number;
  memberId: number;
  customerId: number;
  email: string | null;
  name: string | null;
  createdAt: string;
}

/** Claims waiting for staff, oldest first (the admin's approval queue). */
export async function pendingActionClaims(db: Db, shopDomain: string, take = 50): Promise<PendingClaim[]> {
  const claims = await db.actionClaim.findMany({
    where: { shopDomain, status: "pending_approval" },
    orderBy: { id: "asc" },
    take,
    include: { action: { select: { title: true } }, member: { select: { customerId: true, email: true, firstName: true, lastName: true } } },
  });
  return claims.map((claim) => ({
    id: claim.id,
    actionId: claim.actionId,
    actionTitle: claim.action.title,
    points: claim.points,
    memberId: claim.memberId,
    customerId: Number(claim.member.customerId),
    email: claim.member.email,
    name: [claim.member.firstName, claim.member.lastName].filter(Boolean).join(" ") || null,
    createdAt: claim.createdAt.toISOString(),
  }));
}

export type DecideOutcome = "approved" | "rejected" | "not_found" | "already_decided";

/**
 * Staff approve or reject a waiting claim. The status change is conditional on the claim still
 * waiting, and an approval credits the points in the same transaction: two staff members
 * approving at once pay once.
 */
export function decideActionClaim(db: Db, shopDomain: string, claimId: number, decision: "approve" | "reject", actor: string): Promise<DecideOutcome> {
  return inTransaction(db, async (tx): Promise<DecideOutcome> => {
    const claim = await tx.actionClaim.findFirst({ where: { id: claimId, shopDomain } });
    if (!claim) return "not_found";
    const status: ActionClaimStatus = decision === "approve" ? "approved" : "rejected";
    const updated = await tx.actionClaim.updateMany({ where: { id: claimId, shopDomain, status: "pending_approval" }, data: { status, decidedAt: new Date(), decidedBy: actor } });
    if (updated.count !== 1) return "already_decided";
    if (status === "approved") await creditClaim(tx, { shopDomain, actionId: claim.actionId, memberId: claim.memberId, points: claim.points, actor });
    else await tx.member.update({ where: { id: claim.memberId }, data: { summaryVersion: { increment: 1 } } });
    return status;
  });
}

/**
 * The shop's newsletter actions for a customer subscribed to its emails (customers/create,
 * customers/update): each claimed once per member, ever, so unsubscribing and subscribing again
 * pays nothing more. Nothing happens while the program is off or without an enabled newsletter
 * action (no member is enrolled for nothing). Returns the points credited.
 */
export function grantNewsletterActions(db: Db, shopDomain: string, customerId: ShopifyId, profile: CustomerProfile, actor: string): Promise<{ credited: number; claimed: number }> {
  return inTransaction(db, async (tx) => {
    const { program } = await ensureShop(tx, shopDomain);
    if (!program.enabled) return { credited: 0, claimed: 0 };
    const actions = await tx.earningAction.findMany({ where: { shopDomain, kind: "newsletter", enabled: true }, orderBy: { id: "asc" } });
    if (actions.length === 0) return { credited: 0, claimed: 0 };
    const member = await ensureMember(tx, shopDomain, customerId, profile);
    const claimed = new Set((await tx.actionClaim.findMany({ where: { memberId: member.id, actionId: { in: actions.map((action) => action.id) } }, select: { actionId: true } })).map((claim) => claim.actionId));
    let credited = 0;
    let count = 0;
    for (const action of actions) {
      if (claimed.has(action.id)) continue;
      count++;
      if ((await recordClaim(tx, { shopDomain, action, memberId: member.id, actor })) === "approved") credited += action.points;
    }
    return { credited, claimed: count };
  });
}
