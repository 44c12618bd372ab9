// Redemptions: points spent on a reward. Taking the points, recording the redemption and
// writing its ledger row happen in one transaction (on PostgreSQL usually one round trip), with a
// conditional decrement (balance ≥ cost), so two concurrent redeems can never spend the same
// points. What Shopify then does (a code, a store credit) is recorded by the functions below;
// points come back through one ledger key per redemption (`redemption:<id>:return`), so they can
// never come back twice (but for a code returned as expired, used after all and spent again, whose
// order is then cancelled: `:respend`, then `:return:2`).
import { randomBytes } from "node:crypto";
import type { Db, Prisma } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { rewardRedeemedEvent } from "./flow-events";
import { flowEventInsert, postgresFlowEventInsertFor } from "./flow-event-rows.server";
import type { SqlConnection } from "~/sql.server";
import { nothing, RolledBack, row, rows, runPostgresTransactionThisTurn, runSqlReads, runSqlStatementWithRetries, runSqlTransactionWithRetries, sqlRetryReason, storedMs, type Query, type Row, type SqlTransaction } from "~/sql-transaction.server";
import type { ReferralStats } from "./referrals.server";
import { MEMBER_COLUMNS, memberFactsFromRow, memberUpsert } from "./ledger.server";
import { currencyExponent, formatMinorUnits } from "./money";
import { parseProgram } from "./program";
import { codeExpiry, isRefusal, newDiscountCode, redemptionValue, rewardFromRow, rewardSchema, type RedemptionValue, type Reward, type RewardKind, type RewardRow } from "./rewards";
import { forgetShop, programVersionOf, programVersionRead, StaleShop, withCurrentShop, type ShopForEvents } from "./shop-cache.server";
import type { MemberFacts } from "./members.server";
import { holdsTier } from "./tiers";
import type { ShopifyId } from "./shopify-id";
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
  /** The member after the points were taken, and the shop: the answer's member view. */
  member: MemberFacts;
  shop: ShopForEvents;
}

export type RedeemRefusal = {
  refused: true;
  status: 403 | 404 | 409 | 422 | 429;
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

/**
 * Takes the points and records the redemption as pending, or says why not. Every redeem runs it,
 * so it is plain SQL through the driver, as the order ledger is (ledger.server.ts). On PostgreSQL
 * a member redeeming a reward the cached shop holds takes one round trip (takenInOneRoundTrip);
 * otherwise, and whenever that statement did not match, the general transaction decides and
 * explains (redeemTransaction): a handful of statements, the conditional decrement carrying
 * correctness, in three round trips on PostgreSQL.
 */
export async function startRedemption(db: Db, connection: SqlConnection, request: RedeemRequest): Promise<StartedRedemption | RedeemRefusal> {
  const now = request.now ?? new Date();
  return withCurrentShop(db, request.shopDomain, null, async (shop) => {
    if (connection.provider === "postgresql") {
      const taken = await takenInOneRoundTrip(connection, shop, request, now);
      if (taken) return taken;
    }
    return runSqlTransactionWithRetries(
      connection,
      () => redeemTransaction(shop, request, now, connection.provider === "postgresql"),
      (reason) => reason === "missing_reference" && forgetShop(request.shopDomain),
    );
  });
}

/** Why a reward cannot be redeemed for this request whoever asks, or its value. */
function redeemableValue(shop: ShopForEvents, reward: Reward, points: number | undefined): RedemptionValue | RedeemRefusal {
  if (!reward.enabled) return refusal(422, "reward_unavailable", "This reward is not available any more.");
  const value = redemptionValue(reward, points);
  if (isRefusal(value)) return refusal(422, "reward_unavailable", value.message);
  if (reward.kind === "store_credit" && !shop.currency) {
    return refusal(422, "reward_unavailable", "Store credit needs the shop's currency, which is not known yet.");
  }
  return value;
}

/** The pending redemption as recorded when the points are taken (its member's id apart). */
function pendingRedemption(shop: ShopForEvents, reward: Reward, value: RedemptionValue, now: Date): Omit<RedemptionRow, "id" | "memberId"> {
  return {
    shopDomain: shop.domain,
    rewardId: reward.id,
    kind: reward.kind,
    title: reward.title,
    reward: JSON.stringify(reward),
    pointsSpent: BigInt(value.pointsSpent),
    amountMinor: value.amountMinor === null ? null : BigInt(value.amountMinor),
    amountExponent: shopExponent(shop),
    percentage: value.percentage,
    currency: shop.currency,
    status: "pending",
    code: reward.kind === "store_credit" ? null : newDiscountCode(randomBytes(10)),
    shopifyDiscountId: null,
    storeCreditTransactionId: null,
    orderId: null,
    expiresAt: reward.kind === "store_credit" ? null : codeExpiry(reward, now),
    pointsReturned: false,
    attempts: 1,
    settleAfter: BigInt(now.getTime() + ATTEMPT_LEASE_MS),
    attemptStartedAt: now,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
}

const shopExponent = (shop: ShopForEvents) => (shop.currency ? currencyExponent(shop.currency) : FALLBACK_EXPONENT);

// What both ways of taking the points write and check, so that they cannot drift apart.
/** The decrement's SET clause; its parameters: the cost, now in epoch ms, now. */
const TAKE_POINTS_SET = `"balance" = "balance" - ?, "summaryVersion" = "summaryVersion" + 1, "lastActivityMs" = ?, "updatedAt" = ?`;
/** The member row being updated is under the hourly limit; its parameters: an hour ago, the limit. */
// A redemption Shopify did not issue ("failed": its points came back) does not count: a shopper
// who tried during an outage is not held back once Shopify is back.
const UNDER_HOURLY_LIMIT = `(SELECT COUNT(*) FROM "Redemption" WHERE "memberId" = "Member"."id" AND "createdAt" > ? AND "status" <> 'failed') < ?`;
/** The redeem's ledger row: shopDomain, memberId, delta, then its constants, then sourceId, actor, note, idempotencyKey, createdAt. */
const REDEEM_LEDGER_COLUMNS = `"shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt"`;

/**
 * PostgreSQL, the common case in one round trip: an enrolled member redeeming an enabled reward
 * of the cached shop. The member's row locked, then one statement: the conditional decrement
 * (balance ≥ cost, the hourly limit, the tier, and the shop's programVersion still the cached
 * one, so the reward is as cached), and from the row it took, the redemption and its ledger row
 * (data-modifying WITH clauses); BEGIN and COMMIT go in the same write. Null when it did not
 * match, or the request is not of that kind: nothing was changed, and the general transaction
 * decides and says why (refusals are the rare case, so they pay the extra round trips).
 */
async function takenInOneRoundTrip(
  connection: Extract<SqlConnection, { provider: "postgresql" }>,
  shop: ShopForEvents,
  request: RedeemRequest,
  now: Date,
): Promise<StartedRedemption | null> {
  const cached = shop.program.enabled ? shop.rewards.find((candidate) => candidate.id === request.rewardId) : undefined;
  const reward = cached ? rewardFromRow(cached) : null;
  if (!reward) return null;
  const value = redeemableValue(shop, reward, request.points);
  if ("refused" in value) return null;
  // The tiers whose members may redeem a tier's reward (the decrement checks the row it locks).
  const allowedTiers = reward.tierId === null ? null : shop.tiers.filter((tier) => holdsTier(tier.id, reward.tierId as number, shop.tiers)).map((tier) => tier.id);
  if (allowedTiers?.length === 0) return null;

  const redemption = pendingRedemption(shop, reward, value, now);
  const cost = redemption.pointsSpent;
  const columns = Object.keys(redemption);
  const statement = row(
    `WITH "taken" AS (
       UPDATE "Member" SET ${TAKE_POINTS_SET}
       WHERE "shopDomain" = ? AND "customerId" = ? AND "balance" >= ? AND ${UNDER_HOURLY_LIMIT}
         AND (SELECT "programVersion" FROM "Shop" WHERE "domain" = ?) = ?${allowedTiers ? ` AND "tierId" = ANY(?::int[])` : ""}
       RETURNING ${MEMBER_COLUMNS}),
     "redemption" AS (
       INSERT INTO "Redemption" ("memberId", ${columns.map((column) => `"${column}"`).join(", ")})
       SELECT "id", ${columns.map(() => "?").join(", ")} FROM "taken" RETURNING "id", "memberId"),
     "ledger" AS (
       INSERT INTO "LedgerEntry" (${REDEEM_LEDGER_COLUMNS})
       SELECT ?, "memberId", ?, 'redeem', 'available', 'reward', "id"::text, ?, ?, 'redemption:' || "id" || ':redeem', ? FROM "redemption")
     SELECT "taken".*, "redemption"."id" AS "redemptionId" FROM "taken" CROSS JOIN "redemption"`,
    [
      cost, now.getTime(), now,
      shop.domain, request.customerId, cost,
      new Date(now.getTime() - HOUR_MS), shop.program.redemption.maxRedeemsPerHour,
      shop.domain, shop.programVersion, ...(allowedTiers ? [allowedTiers] : []),
      ...Object.values(redemption),
      shop.domain, -cost, request.actor, reward.title, now,
    ],
  );
  // The member's row is locked first, so that the statement, which starts once the lock is held,
  // counts the redemptions of every redeem that held it before (a statement waiting on the row it
  // updates would re-check that row alone, counting as of its start: concurrent redeems of one
  // member could all pass the hourly limit).
  const lockMember = nothing(`SELECT 1 FROM "Member" WHERE "shopDomain" = ? AND "customerId" = ? FOR UPDATE`, [shop.domain, request.customerId]);
  let takenRow: Row | undefined;
  try {
    // Shared with the other redeems of this turn (one commit for all), members locked in order.
    takenRow = (await runPostgresTransactionThisTurn(connection, [lockMember, statement], `${shop.domain} ${request.customerId}`))[1] as Row | undefined;
  } catch (error) {
    // A key race or a deadlock: the general transaction runs instead, built afresh for each of its tries.
    if (sqlRetryReason(error) !== null) return null;
    throw error;
  }
  if (!takenRow) return null;
  const member = memberFactsFromRow(takenRow);
  return {
    redemption: { id: Number(takenRow.redemptionId), memberId: member.id, ...redemption },
    reward,
    customerId: request.customerId,
    currency: shop.currency,
    exponent: redemption.amountExponent,
    member,
    shop,
  };
}

/**
 * `lockMember`: PostgreSQL reads the member's row FOR UPDATE, so that the decrement, a later
 * statement, counts every redemption committed by the redeems that held the lock before (SQLite's
 * BEGIN IMMEDIATE already runs one writer at a time).
 */
function* redeemTransaction(shop: ShopForEvents, request: RedeemRequest, now: Date, lockMember: boolean): SqlTransaction<StartedRedemption | RedeemRefusal | StaleShop> {
  const shopDomain = shop.domain;
  // The reward, the member and the shop's version in one round trip; a shopper seen for the
  // first time is enrolled below, once the reward is known to be redeemable.
  const [rewardRow, enrolled, version] = (yield [
    row(`SELECT * FROM "Reward" WHERE "id" = ? AND "shopDomain" = ?`, [request.rewardId, shopDomain]),
    row(`SELECT ${MEMBER_COLUMNS} FROM "Member" WHERE "shopDomain" = ? AND "customerId" = ?${lockMember ? " FOR UPDATE" : ""}`, [shopDomain, request.customerId]),
    programVersionRead(shopDomain),
  ]) as [Row | undefined, Row | undefined, Row | undefined];
  const storedVersion = programVersionOf(version);
  if (storedVersion !== shop.programVersion) return new StaleShop(storedVersion);
  // Off: nothing is redeemed (balances are kept for when it is on again).
  if (!shop.program.enabled) return refusal(403, "program_off", "The rewards program is paused: no rewards can be redeemed for now.");
  const reward = rewardRow ? rewardFromRow(rewardRowOf(rewardRow)) : null;
  if (!reward) return refusal(404, "unknown_reward", "There is no such reward.");
  const value = redeemableValue(shop, reward, request.points);
  if ("refused" in value) return value;

  const memberRow = enrolled ?? ((yield [memberUpsert(shopDomain, request.customerId, {}, now)]) as [Row])[0];
  const member = { id: Number(memberRow.id) };
  // A tier's reward for a member who does not hold it (checked again on the row the decrement locks).
  const tierRefusal = (held: Row) =>
    reward.tierId !== null && !holdsTier(held.tierId === null ? null : Number(held.tierId), reward.tierId, shop.tiers)
      ? refusal(422, "reward_unavailable", "This reward is for members of a higher tier.")
      : null;
  const notHeld = tierRefusal(memberRow);
  if (notHeld) return notHeld;

  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const limit = shop.program.redemption.maxRedeemsPerHour;
  const redemption: Omit<RedemptionRow, "id"> = { memberId: member.id, ...pendingRedemption(shop, reward, value, now) };
  const cost = redemption.pointsSpent;
  const columns = Object.keys(redemption);
  // The conditional decrement: of concurrent redeems, only those the balance covers (and the
  // hourly limit allows) match. The redemption goes with it and is undone when it did not match.
  const [taken, inserted] = (yield [
    row(
      `UPDATE "Member" SET ${TAKE_POINTS_SET} WHERE "id" = ? AND "balance" >= ? AND ${UNDER_HOURLY_LIMIT} RETURNING ${MEMBER_COLUMNS}`,
      [cost, now.getTime(), now, member.id, cost, hourAgo, limit],
    ),
    row(
      `INSERT INTO "Redemption" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING "id"`,
      Object.values(redemption),
    ),
  ]) as [Row | undefined, Row];
  const id = Number(inserted.id);
  if (!taken) {
    const [recent] = (yield [
      row(`SELECT COUNT(*) AS "count", MIN("createdAt") AS "oldest" FROM "Redemption" WHERE "memberId" = ? AND "createdAt" > ? AND "status" <> 'failed' AND "id" <> ?`, [member.id, hourAgo, id]),
    ]) as [Row];
    if (Number(recent.count) >= limit) {
      const oldest = dateOf(recent.oldest);
      const retryAfterSeconds = oldest ? Math.max(1, Math.ceil((oldest.getTime() + HOUR_MS - now.getTime()) / 1000)) : 60;
      return new RolledBack({ ...refusal(429, "too_many_redeems", "Too many rewards redeemed in the last hour; try again later."), retryAfterSeconds });
    }
    return new RolledBack(refusal(409, "not_enough_points", "Not enough points for this reward."));
  }
  // The member as the decrement locked it: a tier lost since the first read refuses a tier's reward.
  const lostTier = tierRefusal(taken);
  if (lostTier) return new RolledBack(lostTier);

  yield [
    nothing(
      `INSERT INTO "LedgerEntry" (${REDEEM_LEDGER_COLUMNS})
       VALUES (?, ?, ?, 'redeem', 'available', 'reward', ?, ?, ?, ?, ?)`,
      [shopDomain, member.id, -cost, String(id), request.actor, reward.title, `redemption:${id}:redeem`, now],
    ),
  ];
  return {
    redemption: { id, ...redemption },
    reward,
    customerId: request.customerId,
    currency: shop.currency,
    exponent: redemption.amountExponent,
    member: memberFactsFromRow(taken),
    shop,
  };
}

/** A Reward row as the driver returns it (SQLite: integers as bigint, booleans as 0/1). */
function rewardRowOf(raw: Row): RewardRow {
  const int = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(raw.id),
    title: String(raw.title),
    kind: String(raw.kind),
    costPoints: Number(raw.costPoints),
    amountMinor: int(raw.amountMinor),
    percentage: int(raw.percentage),
    variantGid: (raw.variantGid as string | null) ?? null,
    minPoints: int(raw.minPoints),
    maxPoints: int(raw.maxPoints),
    stepPoints: int(raw.stepPoints),
    minimumSubtotalMinor: int(raw.minimumSubtotalMinor),
    codeExpiryDays: int(raw.codeExpiryDays),
    combinesWithOrder: Boolean(Number(raw.combinesWithOrder)),
    combinesWithProduct: Boolean(Number(raw.combinesWithProduct)),
    combinesWithShipping: Boolean(Number(raw.combinesWithShipping)),
    tierId: int(raw.tierId),
    enabled: Boolean(Number(raw.enabled)),
  };
}

/** A stored timestamp as a Date. */
function dateOf(value: unknown): Date | null {
  const ms = storedMs(value);
  return ms === null ? null : new Date(ms);
}


function refusal(status: RedeemRefusal["status"], code: string, message: string): RedeemRefusal {
  return { refused: true, status, code, message };
}

export function isRedeemRefusal(result: StartedRedemption | RedeemRefusal): result is RedeemRefusal {
  return "refused" in result;
}


/** What markIssued needs of a redemption: its row's facts, and its member's customer (for the Flow event). */
export type IssuedRedemption = Pick<RedemptionRow, "id" | "shopDomain" | "title" | "code" | "pointsSpent"> & { customerId: ShopifyId };

/**
 * Shopify holds the code or the credit: the redemption is issued (once; a repeat changes
 * nothing), with its Flow event. The member's storefront summary lists issued codes, so its
 * version moves too. Returns the member's new summary version, or null when it was not pending.
 */
export async function markIssued(
  connection: SqlConnection,
  issued: IssuedRedemption,
  shopify: { shopifyDiscountId?: string | null; storeCreditTransactionId?: string | null },
): Promise<number | null> {
  const now = new Date();
  const setIssued = [shopify.shopifyDiscountId ?? null, shopify.storeCreditTransactionId ?? null, now, issued.id];
  const flow = rewardRedeemedEvent(issued.customerId, { id: issued.id, title: issued.title, pointsSpent: Number(issued.pointsSpent), code: issued.code });
  if (connection.provider === "postgresql") {
    // One statement, so one round trip and no BEGIN or COMMIT: the member's version and the
    // Flow event come only from a redemption this statement found pending.
    // Its commit does not wait for the WAL to reach the disk (synchronous_commit off, for this
    // transaction only): the points were taken by a durable commit, and a redemption whose
    // marking a crash lost is still pending with its code known, so the settle sweep finds the
    // code in Shopify and marks it issued (with its Flow event) then.
    const flowInsert = postgresFlowEventInsertFor("issued", issued.shopDomain, flow, now);
    const bumped = (await runSqlStatementWithRetries(
      connection,
      row(
        `WITH "issued" AS (${ISSUE_REDEMPTION} RETURNING "memberId"),
         "bumped" AS (UPDATE "Member" SET "summaryVersion" = "summaryVersion" + 1 WHERE "id" = (SELECT "memberId" FROM "issued") RETURNING "summaryVersion"),
         "flow" AS (${flowInsert.sql})
         SELECT "summaryVersion", set_config('synchronous_commit', 'off', true) FROM "bumped"`,
        [...setIssued, ...flowInsert.params],
      ),
    )) as Row | undefined;
    return bumped ? Number(bumped.summaryVersion) : null;
  }
  return runSqlTransactionWithRetries(connection, function* () {
    // All in one batch; undone when the redemption was no longer pending (issued already, or failed).
    const [updated, member] = (yield [
      row(`${ISSUE_REDEMPTION} RETURNING "id"`, setIssued),
      row(`UPDATE "Member" SET "summaryVersion" = "summaryVersion" + 1 WHERE "id" = (SELECT "memberId" FROM "Redemption" WHERE "id" = ?) RETURNING "summaryVersion"`, [issued.id]),
      flowEventInsert(issued.shopDomain, flow, now),
    ]) as [Row | undefined, Row, undefined];
    if (!updated) return new RolledBack(null);
    return Number(member.summaryVersion);
  });
}

const ISSUE_REDEMPTION = `UPDATE "Redemption" SET "status" = 'issued', "settleAfter" = NULL, "lastError" = NULL, "shopifyDiscountId" = ?, "storeCreditTransactionId" = ?, "updatedAt" = ?
  WHERE "id" = ? AND "status" = 'pending'`;

/** Shopify's answer was lost: the redemption stays pending and the settle job looks it up after `retryAt`. */
export async function markOutcomeUnknown(db: Db, redemptionId: number, error: string, retryAt: Date): Promise<void> {
  await db.redemption.updateMany({
    where: { id: redemptionId, status: "pending" },
    data: { lastError: error.slice(0, 500), settleAfter: BigInt(retryAt.getTime()) },
  });
}

/**
 * Gives the redemption's points back (at most once: the ledger key and the pointsReturned flag
 * agree in one transaction; once more only after they were spent again, see `:return:2`) and
 * moves it to `status`. Only from the statuses listed: a
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
    // Points come back a second time only after a code returned as expired was used after all
    // (spent again, `:respend`) and that order was cancelled: that return has a key of its own.
    const respent = await tx.ledgerEntry.findUnique({
      where: { shopDomain_idempotencyKey: { shopDomain: redemption.shopDomain, idempotencyKey: `redemption:${redemption.id}:respend` } },
      select: { id: true },
    });
    await writeBalanceChange(tx, {
      shopDomain: redemption.shopDomain,
      memberId: redemption.memberId,
      delta: redemption.pointsSpent,
      kind: "redeem_refund",
      sourceType: "reward",
      sourceId: String(redemption.id),
      actor,
      note: reason.slice(0, 255),
      idempotencyKey: `redemption:${redemption.id}:${respent ? "return:2" : "return"}`,
      earned: false,
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

/** A redemption still to be used: not used, and not ended (returned for a cancelled order, failed). */
const USABLE: RedemptionStatus[] = ["pending", "issued", "expired"];

async function markUsed(db: Db, redemptionId: number, orderId: ShopifyId | null, actor: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    // Conditional updates, not a read then a write: a concurrent return (a cancellation, the
    // expiry job) either lands first, and this sees it, or waits for this one (row lock).
    const used = { status: "used", orderId, settleAfter: null, pointsReturned: false } as const;
    const unreturned = await tx.redemption.updateMany({ where: { id: redemptionId, status: { in: USABLE }, pointsReturned: false }, data: used });
    const returnedAsExpired =
      unreturned.count === 0 && (await tx.redemption.updateMany({ where: { id: redemptionId, status: { in: USABLE }, pointsReturned: true }, data: used })).count === 1;
    if (unreturned.count === 0 && !returnedAsExpired) return false;
    const redemption = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    // The storefront summary lists unused codes: this one leaves it.
    await tx.member.update({ where: { id: redemption.memberId }, data: { summaryVersion: { increment: 1 } } });
    if (returnedAsExpired) {
      // Returned as expired, then used after all: spent again (the balance may go below zero).
      await writeBalanceChange(tx, {
        shopDomain: redemption.shopDomain,
        memberId: redemption.memberId,
        delta: -redemption.pointsSpent,
        kind: "redeem",
        sourceType: "reward",
        sourceId: String(redemption.id),
        actor,
        note: "code used after it was returned as expired",
        idempotencyKey: `redemption:${redemption.id}:respend`,
        earned: false,
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
  return inTransaction(db, async (tx) => {
    const updated = await tx.redemption.updateMany({ where: { id: redemptionId, status: "issued" }, data: { status: "expired" } });
    if (updated.count === 0) return false;
    const { memberId } = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId }, select: { memberId: true } });
    await tx.member.update({ where: { id: memberId }, data: { summaryVersion: { increment: 1 } } });
    return true;
  });
}

/** The member's issued, unused codes and store credits, newest first (store credits: the last 10). */

const ISSUED_SHOWN = 60;

/** Unused codes (all of the newest ISSUED_SHOWN) and the 10 newest store credits. */
function shownRedemptions<T extends { code: string | null }>(issued: readonly T[]): T[] {
  const credits = issued.filter((row) => row.code === null).slice(0, 10);
  return issued.filter((row) => row.code !== null || credits.includes(row));
}

/** The columns a RedemptionView shows. */
const VIEW_COLUMNS = ["id", "rewardId", "kind", "title", "status", "code", "amountMinor", "amountExponent", "percentage", "currency", "pointsSpent", "expiresAt", "createdAt"] as const;

/**
 * A member's newest issued rewards, the columns shown only: a loyal member's used and unused
 * codes add up, and every storefront read after a change lists them (index memberId, status, id).
 */
function issuedRedemptionsRead(memberId: number) {
  return rows(
    `SELECT ${VIEW_COLUMNS.map((column) => `"${column}"`).join(", ")} FROM "Redemption" WHERE "memberId" = ? AND "status" = 'issued' ORDER BY "id" DESC LIMIT ${ISSUED_SHOWN}`,
    [memberId],
  );
}

/**
 * The referrals that were a new customer's first order: credited, later reversed, or refused only
 * for the referrer's weekly cap or because the order bought nothing. A refused self-referral, an
 * earlier customer or the referrer's own email was no one referred.
 */
const COUNTS_AS_REFERRED = `("status" <> 'refused' OR "reason" IN ('weekly_cap', 'free_order'))`;

function referralStatsOf(groups: readonly Row[]): ReferralStats {
  const credited = groups.find((group) => group.status === "credited");
  return {
    referred: groups.reduce((sum, group) => sum + Number(group.count), 0),
    converted: Number(credited?.count ?? 0),
    pointsEarned: Number(credited?.points ?? 0),
  };
}

/** The member's issued rewards and referral figures, read in one round trip (every redeem answers with them). */
export async function memberExtras(connection: SqlConnection, memberId: number): Promise<MemberRedemptionExtras> {
  return memberExtrasOf((await runSqlReads(connection, memberExtrasReads(memberId))) as Row[][]);
}

/** memberExtras' statements, for a caller that sends them with its own reads (one round trip). */
export function memberExtrasReads(memberId: number): Query[] {
  return [
    issuedRedemptionsRead(memberId),
    rows(`SELECT "status", COUNT(*) AS "count", SUM("points") AS "points" FROM "Referral" WHERE "referrerMemberId" = ? AND ${COUNTS_AS_REFERRED} GROUP BY "status"`, [memberId]),
  ];
}

/** A member's codes and referral figures, with the issued rows they were chosen from. */
export interface MemberRedemptionExtras {
  redemptions: RedemptionView[];
  referrals: ReferralStats;
  /** The newest issued rows (at most ISSUED_SHOWN) the shown redemptions were chosen from. */
  issuedRows: RedemptionViewFields[];
}

/** What memberExtrasReads returned, as memberExtras gives it. */
export function memberExtrasOf([issued, referrals]: Row[][]): MemberRedemptionExtras {
  const issuedRows = issued.map(viewFieldsOf);
  return { redemptions: shownRedemptions(issuedRows).map(redemptionView), referrals: referralStatsOf(referrals), issuedRows };
}

/**
 * The extras once `redemption` is issued, as memberExtras would read them then, provided nothing
 * else changed the member's issued rows or referrals: the newest issued row first.
 */
export function extrasWithIssued(extras: MemberRedemptionExtras, redemption: Omit<RedemptionRow, "status">): MemberRedemptionExtras {
  const issued = viewFieldsOfRow({ ...redemption, status: "issued" });
  const issuedRows = [issued, ...extras.issuedRows].slice(0, ISSUED_SHOWN);
  // The views already made are kept (a loyal member's list is long, and every redeem answers with it).
  const shown = new Set(shownRedemptions(issuedRows).map((row) => row.id));
  const redemptions = [redemptionView(issued), ...extras.redemptions].filter((view) => shown.has(view.id));
  return { ...extras, redemptions, issuedRows };
}

function viewFieldsOfRow(redemption: RedemptionRow): RedemptionViewFields {
  return Object.fromEntries(VIEW_COLUMNS.map((column) => [column, redemption[column]])) as RedemptionViewFields;
}

/** memberExtras for many members at once (the storefront summaries written in one batch), in one round trip. */
export async function membersExtras(
  connection: SqlConnection,
  memberIds: readonly number[],
): Promise<Map<number, { redemptions: RedemptionView[]; referrals: ReferralStats }>> {
  if (memberIds.length === 0) return new Map();
  const results = (await runSqlReads(connection, [
    ...memberIds.map(issuedRedemptionsRead),
    rows(
      `SELECT "referrerMemberId", "status", COUNT(*) AS "count", SUM("points") AS "points" FROM "Referral"
       WHERE "referrerMemberId" IN (${memberIds.map(() => "?").join(", ")}) AND ${COUNTS_AS_REFERRED} GROUP BY "referrerMemberId", "status"`,
      [...memberIds],
    ),
  ])) as Row[][];
  const referrals = results[memberIds.length];
  return new Map(
    memberIds.map((memberId, i) => [
      memberId,
      {
        redemptions: shownRedemptions(results[i].map(viewFieldsOf)).map(redemptionView),
        referrals: referralStatsOf(referrals.filter((group) => Number(group.referrerMemberId) === memberId)),
      },
    ]),
  );
}

export type RedemptionViewFields = Pick<RedemptionRow, (typeof VIEW_COLUMNS)[number]>;

/** The shown columns of a Redemption row as the driver returns them. */
function viewFieldsOf(raw: Row): RedemptionViewFields {
  return {
    id: Number(raw.id),
    rewardId: Number(raw.rewardId),
    kind: String(raw.kind),
    title: String(raw.title),
    status: String(raw.status),
    code: (raw.code as string | null) ?? null,
    amountMinor: raw.amountMinor === null || raw.amountMinor === undefined ? null : BigInt(raw.amountMinor as bigint),
    amountExponent: Number(raw.amountExponent),
    percentage: raw.percentage === null || raw.percentage === undefined ? null : Number(raw.percentage),
    currency: (raw.currency as string | null) ?? null,
    pointsSpent: BigInt(raw.pointsSpent as bigint),
    expiresAt: dateOf(raw.expiresAt),
    createdAt: dateOf(raw.createdAt)!,
  };
}

/** A Redemption row as the driver returns it, in Prisma's types. */
/** The reward a redemption was made of, as it was then. */
export function redeemedReward(row: Pick<RedemptionRow, "reward">): Reward {
  return rewardSchema.parse(JSON.parse(row.reward));
}

export function redemptionView(row: RedemptionViewFields): RedemptionView {
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
