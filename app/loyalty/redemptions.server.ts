// Redemptions: points spent on a reward. Taking the points, recording the redemption and
// writing its ledger row happen in one transaction, with a conditional decrement (balance ≥
// cost), so two concurrent redeems can never spend the same points. What Shopify then does
// (a code, a store credit) is recorded by the functions below; points come back through one
// ledger key per redemption (`redemption:<id>:return`), so they can never come back twice.
import { randomBytes } from "node:crypto";
import type { Db, Prisma } from "~/db.server";
import { ensureMember } from "./members.server";
import { currencyExponent, formatMinorUnits } from "./money";
import { parseProgram } from "./program";
import { codeExpiry, isRefusal, newDiscountCode, redemptionValue, rewardFromRow, rewardSchema, type Reward, type RewardKind } from "./rewards";
import { ensureShop } from "./shops.server";
import type { ShopifyId } from "./shopify-id";
import { tierProgress } from "./tiers";
import { inTransaction } from "./transaction.server";

export type RedemptionStatus = "pending" | "issued" | "used" | "failed" | "expired" | "returned";

/** What the storefront shows of a redemption (README "Storefront API"). */
export interface RedemptionView {
  id: number;
  rewardId: number;
  kind: RewardKind;
  title: string;
  status: RedemptionStatus;
  code: string | null;
  /** Decimal amount in `currency` (off, or credited); null for percentage and free shipping. */
  amount: string | null;
  percentage: number | null;
  currency: string | null;
  pointsSpent: number;
  expiresAt: string | null;
  createdAt: string;
}

export type RedemptionRow = Prisma.RedemptionGetPayload<object>;

/** What Shopify needs to issue a redemption, and who it is for. */
export interface StartedRedemption {
  redemption: RedemptionRow;
  reward: Reward;
  customerId: ShopifyId;
  /** The shop's currency, and its exponent (amounts are in its minor units). */
  currency: string | null;
  exponent: number;
}

export type RedeemRefusal = {
  refused: true;
  status: 404 | 409 | 422 | 429;
  code: string;
  message: string;
  retryAfterSeconds?: number;
};

export interface RedeemRequest {
  shopDomain: string;
  customerId: ShopifyId;
  rewardId: number;
  points: number | undefined;
  /** Who asked, for the ledger's actor column. */
  actor: string;
  now?: Date;
}

/**
 * The request's own attempt at Shopify holds the redemption this long; only after it may the
 * settle job try (so that a store credit is never sent twice at once).
 */
export const ATTEMPT_LEASE_MS = 60_000;
const HOUR_MS = 3_600_000;
const FALLBACK_EXPONENT = 2;

/** Takes the points and records the redemption as pending, or says why not. */
export function startRedemption(db: Db, request: RedeemRequest): Promise<StartedRedemption | RedeemRefusal> {
  const now = request.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, request.shopDomain);
    const row = await tx.reward.findFirst({ where: { id: request.rewardId, shopDomain: request.shopDomain } });
    const reward = row ? rewardFromRow(row) : null;
    if (!row || !reward) return refusal(404, "unknown_reward", "There is no such reward.");
    if (!reward.enabled) return refusal(422, "reward_unavailable", "This reward is not available any more.");
    const member = await ensureMember(tx, request.shopDomain, request.customerId);

    if (reward.tierId !== null && !(await memberReachedTier(tx, request.shopDomain, Number(member.lifetimeEarned), reward.tierId))) {
      return refusal(422, "reward_unavailable", "This reward is for members of a higher tier.");
    }
    const value = redemptionValue(reward, request.points);
    if (isRefusal(value)) return refusal(422, "reward_unavailable", value.message);
    if (reward.kind === "store_credit" && !shop.currency) {
      return refusal(422, "reward_unavailable", "Store credit needs the shop's currency, which is not known yet.");
    }

    const recent = await tx.redemption.count({ where: { memberId: member.id, createdAt: { gt: new Date(now.getTime() - HOUR_MS) } } });
    if (recent >= shop.program.redemption.maxRedeemsPerHour) {
      const oldest = await tx.redemption.findFirst({
        where: { memberId: member.id, createdAt: { gt: new Date(now.getTime() - HOUR_MS) } },
        orderBy: { createdAt: "asc" },
        select: { createdAt: true },
      });
      const retryAfterSeconds = oldest ? Math.max(1, Math.ceil((oldest.createdAt.getTime() + HOUR_MS - now.getTime()) / 1000)) : 60;
      return { ...refusal(429, "too_many_redeems", "Too many rewards redeemed in the last hour; try again later."), retryAfterSeconds };
    }

    // The conditional decrement: of concurrent redeems, only those the balance covers match.
    const cost = BigInt(value.pointsSpent);
    const taken = await tx.member.updateMany({
      where: { id: member.id, balance: { gte: cost } },
      data: { balance: { decrement: cost }, summaryVersion: { increment: 1 } },
    });
    if (taken.count === 0) return refusal(409, "not_enough_points", "Not enough points for this reward.");

    const exponent = shop.currency ? currencyExponent(shop.currency) : FALLBACK_EXPONENT;
    const redemption = await tx.redemption.create({
      data: {
        shopDomain: request.shopDomain,
        memberId: member.id,
        rewardId: reward.id,
        kind: reward.kind,
        title: reward.title,
        reward: JSON.stringify(reward),
        pointsSpent: cost,
        amountMinor: value.amountMinor === null ? null : BigInt(value.amountMinor),
        amountExponent: exponent,
        percentage: value.percentage,
        currency: shop.currency,
        code: reward.kind === "store_credit" ? null : newDiscountCode(randomBytes(10)),
        expiresAt: reward.kind === "store_credit" ? null : codeExpiry(reward, now),
        attempts: 1,
        attemptStartedAt: now,
        settleAfter: BigInt(now.getTime() + ATTEMPT_LEASE_MS),
        createdAt: now,
      },
    });
    await tx.ledgerEntry.create({
      data: {
        shopDomain: request.shopDomain,
        memberId: member.id,
        delta: -cost,
        kind: "redeem",
        sourceType: "reward",
        sourceId: String(redemption.id),
        actor: request.actor,
        note: reward.title,
        idempotencyKey: `redemption:${redemption.id}:redeem`,
        createdAt: now,
      },
    });
    return { redemption, reward, customerId: request.customerId, currency: shop.currency, exponent };
  });
}

function refusal(status: RedeemRefusal["status"], code: string, message: string): RedeemRefusal {
  return { refused: true, status, code, message };
}

export function isRedeemRefusal(result: StartedRedemption | RedeemRefusal): result is RedeemRefusal {
  return "refused" in result;
}

async function memberReachedTier(tx: Prisma.TransactionClient, shopDomain: string, lifetimeEarned: number, tierId: number): Promise<boolean> {
  const tiers = await tx.tier.findMany({ where: { shopDomain } });
  const required = tiers.find((tier) => tier.id === tierId);
  if (!required) return false;
  const { tier } = tierProgress(lifetimeEarned, tiers);
  return tier !== null && tier.thresholdPoints >= required.thresholdPoints;
}

/** Shopify holds the code or the credit: the redemption is issued (once; a repeat changes nothing). */
export async function markIssued(
  db: Db,
  redemptionId: number,
  shopify: { shopifyDiscountId?: string | null; storeCreditTransactionId?: string | null },
): Promise<boolean> {
  const updated = await db.redemption.updateMany({
    where: { id: redemptionId, status: "pending" },
    data: { status: "issued", settleAfter: null, lastError: null, ...shopify },
  });
  return updated.count === 1;
}

/** Shopify's answer was lost: the redemption stays pending and the settle job looks it up after `retryAt`. */
export async function markOutcomeUnknown(db: Db, redemptionId: number, error: string, retryAt: Date): Promise<void> {
  await db.redemption.updateMany({
    where: { id: redemptionId, status: "pending" },
    data: { lastError: error.slice(0, 500), settleAfter: BigInt(retryAt.getTime()) },
  });
}

/**
 * Gives the redemption's points back (at most once: the ledger key and the pointsReturned flag
 * agree in one transaction) and moves it to `status`. Only from the statuses listed: a
 * redemption that was used is never returned as failed, and so on.
 */
export async function returnPoints(
  db: Db,
  redemptionId: number,
  status: "failed" | "expired" | "returned",
  from: readonly RedemptionStatus[],
  actor: string,
  reason: string,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const claimed = await tx.redemption.updateMany({
      where: { id: redemptionId, status: { in: [...from] }, pointsReturned: false },
      data: { status, pointsReturned: true, settleAfter: null, lastError: reason.slice(0, 500) },
    });
    if (claimed.count === 0) return false;
    const redemption = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    await tx.ledgerEntry.create({
      data: {
        shopDomain: redemption.shopDomain,
        memberId: redemption.memberId,
        delta: redemption.pointsSpent,
        kind: "redeem_refund",
        sourceType: "reward",
        sourceId: String(redemption.id),
        actor,
        note: reason.slice(0, 255),
        idempotencyKey: `redemption:${redemption.id}:return`,
      },
    });
    await tx.member.update({
      where: { id: redemption.memberId },
      data: { balance: { increment: redemption.pointsSpent }, summaryVersion: { increment: 1 } },
    });
    return true;
  });
}

/** Shopify refused to issue it: the redemption failed and its points are back. */
export function failRedemption(db: Db, redemptionId: number, actor: string, reason: string): Promise<boolean> {
  return returnPoints(db, redemptionId, "failed", ["pending"], actor, reason);
}

/**
 * The settle job's claim on a pending redemption whose attempt ran out: one attempt at a time,
 * each holding it for ATTEMPT_LEASE_MS. False when it was settled or claimed meanwhile.
 */
export async function claimSettlement(db: Db, redemptionId: number, now: Date): Promise<boolean> {
  const claimed = await db.redemption.updateMany({
    where: { id: redemptionId, status: "pending", settleAfter: { lte: BigInt(now.getTime()) } },
    data: { settleAfter: BigInt(now.getTime() + ATTEMPT_LEASE_MS), attempts: { increment: 1 } },
  });
  return claimed.count === 1;
}

/** Pending redemptions of the shop due for settling, oldest first. */
export function redemptionsToSettle(db: Db, shopDomain: string, now: Date, limit = 20) {
  return db.redemption.findMany({
    where: { shopDomain, status: "pending", settleAfter: { lte: BigInt(now.getTime()) } },
    orderBy: { id: "asc" },
    take: limit,
    include: { member: { select: { customerId: true } } },
  });
}

/** Shops with a pending redemption due for settling. */
export async function shopsWithRedemptionsToSettle(db: Db, now: Date): Promise<string[]> {
  const rows = await db.redemption.findMany({
    where: { status: "pending", settleAfter: { lte: BigInt(now.getTime()) } },
    distinct: ["shopDomain"],
    select: { shopDomain: true },
    take: 1000,
  });
  return rows.map((row) => row.shopDomain);
}

/**
 * An order used Tally codes (orders/paid): their redemptions are used, by that order. A code
 * whose points were already returned because it expired unused (an order begun before it
 * expired, paid after) takes them again, under its own key: a reward is never both used and
 * refunded.
 */
/** The order's codes that may be Tally's ("TALLY-…", newDiscountCode): others need no lookup. */
function tallyCodes(codes: readonly string[]): string[] {
  return codes.map((code) => code.trim().toUpperCase()).filter((code) => code.startsWith("TALLY-"));
}

export async function markCodesUsed(db: Db, shopDomain: string, orderId: ShopifyId, codes: readonly string[], actor: string): Promise<number> {
  const ours = tallyCodes(codes);
  if (ours.length === 0) return 0;
  const found = await db.redemption.findMany({
    where: { shopDomain, code: { in: ours } },
    select: { id: true },
  });
  let used = 0;
  for (const { id } of found) if (await markUsed(db, id, orderId, actor)) used++;
  return used;
}

async function markUsed(db: Db, redemptionId: number, orderId: ShopifyId | null, actor: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const redemption = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    if (redemption.status === "used" || redemption.status === "returned" || redemption.status === "failed") return false;
    await tx.redemption.update({ where: { id: redemptionId }, data: { status: "used", orderId, settleAfter: null } });
    if (redemption.pointsReturned) {
      // Returned as expired, then used after all: spent again (the balance may go below zero).
      await tx.redemption.update({ where: { id: redemptionId }, data: { pointsReturned: false } });
      await tx.ledgerEntry.create({
        data: {
          shopDomain: redemption.shopDomain,
          memberId: redemption.memberId,
          delta: -redemption.pointsSpent,
          kind: "redeem",
          sourceType: "reward",
          sourceId: String(redemption.id),
          actor,
          note: "code used after it was returned as expired",
          idempotencyKey: `redemption:${redemption.id}:respend`,
        },
      });
      await tx.member.update({
        where: { id: redemption.memberId },
        data: { balance: { decrement: redemption.pointsSpent }, summaryVersion: { increment: 1 } },
      });
    }
    return true;
  });
}

/** Marks a redemption used when Shopify says its code was used but no order named it to us. */
export function markUsedByUnknownOrder(db: Db, redemptionId: number, actor: string): Promise<boolean> {
  return markUsed(db, redemptionId, null, actor);
}

/** orders/cancelled: codes the order used give their points back (when the program says so). */
export async function returnPointsForCancelledOrder(db: Db, shopDomain: string, orderId: ShopifyId, codes: readonly string[], actor: string): Promise<number> {
  // A redemption is tied to an order only through a Tally code the order used.
  const ours = tallyCodes(codes);
  if (ours.length === 0) return 0;
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { program: true } });
  if (!shop) return 0;
  if (!parseProgram(shop.program).redemption.returnPointsForCancelledOrders) return 0;
  const redemptions = await db.redemption.findMany({
    where: {
      shopDomain,
      OR: [{ orderId }, { code: { in: ours } }],
    },
    select: { id: true, orderId: true },
  });
  let returned = 0;
  for (const redemption of redemptions) {
    // A code named by the cancelled order but recorded as used by another is not this order's.
    if (redemption.orderId !== null && redemption.orderId !== orderId) continue;
    if (await returnPoints(db, redemption.id, "returned", ["used", "issued"], actor, `order ${orderId} was cancelled`)) returned++;
  }
  return returned;
}

/** Issued codes past their expiry (plus a grace period for orders paid late), oldest first. */
export function expiredCodes(db: Db, shopDomain: string, before: Date, limit = 50) {
  return db.redemption.findMany({
    where: { shopDomain, status: "issued", expiresAt: { lt: before } },
    orderBy: { expiresAt: "asc" },
    take: limit,
  });
}

export async function shopsWithExpiredCodes(db: Db, before: Date): Promise<string[]> {
  const rows = await db.redemption.findMany({
    where: { status: "issued", expiresAt: { lt: before } },
    distinct: ["shopDomain"],
    select: { shopDomain: true },
    take: 1000,
  });
  return rows.map((row) => row.shopDomain);
}

/** A code expired unused: its points come back when the program says so, else it is only expired. */
export async function expireCode(db: Db, redemptionId: number, returnToMember: boolean, actor: string): Promise<boolean> {
  if (returnToMember) return returnPoints(db, redemptionId, "expired", ["issued"], actor, "code expired unused");
  const updated = await db.redemption.updateMany({ where: { id: redemptionId, status: "issued" }, data: { status: "expired" } });
  return updated.count === 1;
}

/** The member's issued, unused codes and store credits, newest first (store credits: the last 10). */
export async function memberRedemptions(db: Db, memberId: number): Promise<RedemptionView[]> {
  const [codes, credits] = await Promise.all([
    db.redemption.findMany({ where: { memberId, status: "issued", code: { not: null } }, orderBy: { id: "desc" }, take: 50 }),
    db.redemption.findMany({ where: { memberId, status: "issued", kind: "store_credit" }, orderBy: { id: "desc" }, take: 10 }),
  ]);
  return [...codes, ...credits].sort((a, b) => b.id - a.id).map(redemptionView);
}

/** The reward a redemption was made of, as it was then. */
export function redeemedReward(row: Pick<RedemptionRow, "reward">): Reward {
  return rewardSchema.parse(JSON.parse(row.reward));
}

export function redemptionView(row: RedemptionRow): RedemptionView {
  return {
    id: row.id,
    rewardId: row.rewardId,
    kind: row.kind as RewardKind,
    title: row.title,
    status: row.status as RedemptionStatus,
    code: row.status === "pending" ? null : row.code,
    amount: row.amountMinor === null || row.amountExponent === null ? null : formatMinorUnits(Number(row.amountMinor), row.amountExponent),
    percentage: row.percentage,
    currency: row.currency,
    pointsSpent: Number(row.pointsSpent),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
