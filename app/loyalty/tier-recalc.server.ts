// Makes every order of a member earn under the tier the tier timeline gives it (tier-timeline.ts),
// whatever order the webhooks came in. A delivery takes a first guess at its order's multiplier
// (the tier the member holds, or the one their counted activity reaches: tiers.ts's
// tierForNewOrder) and flags the member (Member.tierPending); the tier-recalculation job then
// re-reads all of the member's orders and
// corrects each order whose multiplier differs, one transaction per order under its row lock,
// with a `tier_adjustment` ledger row keyed by the snapshot version. Safe to run any number of
// times, at the same time as deliveries: a delivery during a run flags the member again.
import type { Db } from "~/db.server";
import { currencyExponent } from "./money";
import { orderPoints, type OrderFacts } from "./order";
import { parseProgram, type TierSettings } from "./program";
import { currentActivity, lastPlacement, tierHeldAt, tiersOfOrders, type ActivityOrder, type TierThreshold } from "./tier-timeline";
import { tierChangedEvent } from "./flow-events";
import { inTransaction } from "./transaction.server";
import { sql } from "~/sql.server";
import { nothing, row, rows, runSqlReads, runSqlTransactionWithRetries, storedMs, type Row, type SqlTransaction } from "~/sql-transaction.server";
import { factsFromRows, ORDER_FACT_COLUMNS, REFUND_FACT_COLUMNS } from "./ledger.server";
import { flowEventInsert } from "./flow-event-rows.server";
import { hasEntryPerks, tiersEntered } from "./tier-perks";
import { grantTierEntryPerks } from "./tier-perks.server";
import { tierMultiplierAt, tierThresholdAt, type TierVersion, type VersionedTier } from "./program-versions";

/** Members of the shop waiting for a recalculation. */
export async function membersAwaitingTierRecalc(db: Db, shopDomain: string, limit = 200): Promise<number[]> {
  const rows = await db.member.findMany({ where: { shopDomain, tierPending: true }, select: { id: true }, orderBy: { id: "asc" }, take: limit });
  return rows.map((row) => row.id);
}

export async function shopsAwaitingTierRecalc(db: Db): Promise<string[]> {
  const rows = await db.member.findMany({ where: { tierPending: true }, distinct: ["shopDomain"], select: { shopDomain: true }, take: 1000 });
  return rows.map((row) => row.shopDomain);
}

/** A paid order of the member as the recalculation reads it (driver rows, not Prisma's models: a batch reads thousands). */
export interface StoredOrder {
  facts: OrderFacts;
  holderMemberId: number;
  earnMultiplierPct: number | null;
  paidAtMs: number;
  cancelledAtMs: number | null;
  /** Each refund's id and when it happened (Shopify's created_at, else when Tally stored it). */
  refundTimes: [bigint, number][];
}

/**
 * The order's qualifying activity over time: base points (no multiplier) or amount in minor
 * units, when placed and after each refund (by Shopify's created_at) and the cancellation.
 */
export function activityOf(order: StoredOrder, basis: TierSettings["basis"], shopExponent: number): ActivityOrder | null {
  const { facts } = order;
  if (!facts.paid || facts.rate === null) return null;
  const rate = basis === "points" ? { ...facts.rate, multiplierPct: 100 } : { points: 10 ** shopExponent, perMajorUnits: 1, multiplierPct: 100 };
  const value = (kept: ReadonlySet<bigint>) =>
    orderPoints({ ...facts, refunds: new Map([...facts.refunds].filter(([refundId]) => kept.has(refundId))), cancelled: false, rate, customerId: facts.customerId ?? 0n });
  const sorted = [...order.refundTimes].sort((x, y) => x[1] - y[1]);
  const changes = sorted.map(([, at], index) => ({ at, activity: value(new Set(sorted.slice(0, index + 1).map(([refundId]) => refundId))) }));
  if (facts.cancelled) changes.push({ at: facts.cancelledAt ?? order.cancelledAtMs!, activity: 0 });
  return { orderId: facts.orderId, processedAt: facts.processedAt ?? order.paidAtMs, activity: value(new Set()), changes };
}

/** The paid orders the members hold, with their refunds: two reads through the driver per chunk of members. */
async function storedOrdersOf(shopDomain: string, memberIds: readonly number[]): Promise<StoredOrder[]> {
  const orders: StoredOrder[] = [];
  for (const ids of inChunks(memberIds)) {
    const [snapshots] = (await runSqlReads(sql(), [
      rows(
        `SELECT ${ORDER_FACT_COLUMNS}, "holderMemberId" FROM "OrderSnapshot"
         WHERE "shopDomain" = ? AND "holderMemberId" IN (${ids.map(() => "?").join(", ")}) AND "paidAt" IS NOT NULL`,
        [shopDomain, ...ids],
      ),
    ])) as [Row[]];
    const refundsOf = new Map<bigint, Row[]>();
    for (const orderIds of inChunks(snapshots.map((snapshot) => BigInt(snapshot.orderId as bigint)))) {
      const [refunds] = (await runSqlReads(sql(), [
        rows(`SELECT ${REFUND_FACT_COLUMNS}, "orderId", "createdAt" FROM "OrderRefund" WHERE "shopDomain" = ? AND "orderId" IN (${orderIds.map(() => "?").join(", ")})`, [
          shopDomain,
          ...orderIds,
        ]),
      ])) as [Row[]];
      for (const refund of refunds) {
        const orderId = BigInt(refund.orderId as bigint);
        refundsOf.set(orderId, [...(refundsOf.get(orderId) ?? []), refund]);
      }
    }
    for (const snapshot of snapshots) {
      const orderId = BigInt(snapshot.orderId as bigint);
      const refunds = refundsOf.get(orderId) ?? [];
      orders.push({
        facts: factsFromRows(orderId, snapshot, refunds),
        holderMemberId: Number(snapshot.holderMemberId),
        earnMultiplierPct: snapshot.earnMultiplierPct === null ? null : Number(snapshot.earnMultiplierPct),
        paidAtMs: storedMs(snapshot.paidAt)!,
        cancelledAtMs: storedMs(snapshot.cancelledAt),
        refundTimes: refunds.map((refund) => [BigInt(refund.refundId as bigint), storedMs(refund.refundedAt) ?? storedMs(refund.createdAt)!]),
      });
    }
  }
  return orders;
}

export interface TierRecalc {
  /** Orders whose multiplier was corrected. */
  corrected: number;
  /** Points the corrections added (negative: took back). */
  delta: number;
  /** The tier held or the progress shown changed (the storefront summary must follow). */
  shownChanged: boolean;
  /** The tier held changed (a Shopify Flow trigger was recorded). */
  tierChanged: boolean;
  /** Entry perks given with the changes: bonus points, and rewards waiting for the redemption-settle job. */
  perkBonusPoints: number;
  perkRewardsQueued: number;
  /** Members changed while they were recalculated: flagged again, for another run. */
  stale: number;
}

/** Re-reads which tier each of the member's paid orders earns under and corrects those that differ. */
export function recalculateMemberTiers(db: Db, shopDomain: string, memberId: number, now = new Date()): Promise<TierRecalc> {
  return recalculateTiersOfMembers(db, shopDomain, [memberId], now);
}

/** Rows per IN (…) list: far below both databases' limits on bound parameters. */
const IN_LIST = 500;

function inChunks<T>(values: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += IN_LIST) chunks.push(values.slice(i, i + IN_LIST));
  return chunks;
}

/**
 * The recalculation for a batch of members of one shop (the job's batch): their orders, refunds
 * and tiers are read with a handful of queries for the whole batch, not per member, since a busy
 * shop flags nearly every member it credits; then each member whose orders or tier differ is
 * written. Returns the batch's totals.
 */
export async function recalculateTiersOfMembers(
  db: Db,
  shopDomain: string,
  memberIds: readonly number[],
  now = new Date(),
  /** Called before each member's writes (the job renews its lease there). */
  beforeWrites: () => Promise<void> = async () => {},
): Promise<TierRecalc> {
  const result: TierRecalc = { corrected: 0, delta: 0, shownChanged: false, tierChanged: false, perkBonusPoints: 0, perkRewardsQueued: 0, stale: 0 };
  if (memberIds.length === 0) return result;
  // Cleared first: a delivery from here on flags the member again, and another run follows.
  for (const ids of inChunks(memberIds)) await db.member.updateMany({ where: { id: { in: ids }, tierPending: true }, data: { tierPending: false } });
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { program: true, currency: true, timezone: true } });
  if (!shop) return result;
  const settings = parseProgram(shop.program).tiers;
  const exponent = shop.currency ? currencyExponent(shop.currency) : 2;
  const tiers = await db.tier.findMany({ where: { shopDomain } });
  const thresholds: TierThreshold[] = tiers.map((tier) => ({ id: tier.id, threshold: settings.basis === "points" ? tier.thresholdPoints : tier.thresholdPoints * 10 ** exponent }));
  // Tiers are versioned with the program: an order's multiplier is its tier's in the version in
  // force when it was placed (a later change of the multiplier does not reach it).
  const versions: TierVersion[] = (
    await db.programVersion.findMany({ where: { shopDomain, tiers: { not: null } }, select: { version: true, effectiveAtMs: true, tiers: true } })
  ).map((row) => ({ version: row.version, effectiveAtMs: Number(row.effectiveAtMs), tiers: JSON.parse(row.tiers!) as VersionedTier[] }));
  const multiplierOf = (tier: TierThreshold | null, placedAtMs: number) => {
    if (tier === null) return 100;
    const current = tiers.find((candidate) => candidate.id === tier.id)?.multiplierPercent ?? 100;
    return versions.length === 0 ? current : tierMultiplierAt(versions, placedAtMs, tier.id, current);
  };
  const options = { period: settings.period, timeZone: shop.timezone };
  // Which tier an order earns under is read against the thresholds in force when it was placed.
  const inActivityUnits = (thresholdPoints: number) => (settings.basis === "points" ? thresholdPoints : thresholdPoints * 10 ** exponent);
  const thresholdsAt = (atMs: number): TierThreshold[] =>
    versions.length === 0 ? thresholds : tiers.map((tier) => ({ id: tier.id, threshold: inActivityUnits(tierThresholdAt(versions, atMs, tier.id, tier.thresholdPoints)) }));

  // The members first, then their orders: a delivery committed in between bumps the member's
  // summaryVersion, and the conditional write below then leaves the member flagged instead of
  // writing figures that miss that order.
  const members = new Map<
    number,
    { tierId: number | null; tierActivity: bigint; customerId: bigint; summaryVersion: number; tierLastPlacedMs: bigint | null; tierLastPlacedOrderId: bigint | null }
  >();
  for (const ids of inChunks(memberIds)) {
    const rows = await db.member.findMany({
      where: { id: { in: ids } },
      select: { id: true, tierId: true, tierActivity: true, customerId: true, summaryVersion: true, tierLastPlacedMs: true, tierLastPlacedOrderId: true },
    });
    for (const member of rows) members.set(member.id, member);
  }
  const ordersOf = new Map<number, StoredOrder[]>();
  for (const order of await storedOrdersOf(shopDomain, memberIds)) ordersOf.set(order.holderMemberId, [...(ordersOf.get(order.holderMemberId) ?? []), order]);

  type Change = {
    memberId: number;
    customerId: bigint;
    previousTierId: number | null;
    heldId: number | null;
    activity: bigint;
    version: number;
    lastPlaced: { at: number; orderId: bigint };
    shown: boolean;
  };
  const shown: Change[] = [];
  // Members reaching a tier with entry perks: written one by one, with their perks (below).
  const entering: Change[] = [];
  for (const memberId of memberIds) {
    const member = members.get(memberId);
    if (!member) continue;
    const stored = ordersOf.get(memberId) ?? [];
    const orders = stored.flatMap((order) => activityOf(order, settings.basis, exponent) ?? []);
    const tierOfOrder = tiersOfOrders(orders, thresholdsAt, options);
    // Each correction below bumps the member's summaryVersion: the version the final write expects.
    let version = member.summaryVersion;
    for (const order of stored) {
      const multiplier = multiplierOf(tierOfOrder.get(order.facts.orderId) ?? null, order.facts.processedAt ?? order.paidAtMs);
      if (order.earnMultiplierPct === null || order.earnMultiplierPct === multiplier) continue;
      await beforeWrites();
      const delta = await correctOrder(db, shopDomain, order.facts.orderId, multiplier);
      if (delta !== null) {
        result.corrected++;
        result.delta += delta;
        if (delta !== 0) version++;
      }
    }
    const heldId = tierHeldAt(orders, thresholds, options, { at: now.getTime(), orderId: 0n, seq: 0 })?.id ?? null;
    const activity = BigInt(currentActivity(orders, options, now.getTime()));
    // The newest placement counted: deliveries placed after it may skip the next recalculation.
    const lastPlaced = lastPlacement(orders);
    const shownChanges = member.tierId !== heldId || member.tierActivity !== activity;
    if (!shownChanges && member.tierLastPlacedMs === BigInt(lastPlaced.at) && member.tierLastPlacedOrderId === lastPlaced.orderId) continue;
    const change = { memberId, customerId: member.customerId, previousTierId: member.tierId, heldId, activity, version, lastPlaced, shown: shownChanges };
    if (tiersEntered(tiers, member.tierId, heldId).some(hasEntryPerks)) entering.push(change);
    else shown.push(change);
  }
  const nameOf = (id: number | null) => tiers.find((tier) => tier.id === id)?.name ?? null;
  for (const change of entering) {
    await beforeWrites();
    await enterTier(db, shopDomain, change, { tiers, nameOf, period: settings.period, timeZone: shop.timezone, currency: shop.currency, now }, result);
  }
  if (shown.length === 0) return result;
  // The storefront shows the held tier and this progress: a change reaches its summary too; a
  // change of tier is a Shopify Flow trigger (sent by the flow-triggers job), in the same
  // transaction. One plain-SQL transaction for the batch: on SQLite it holds the write lock only
  // while it runs, never across the event loop's turns as an interactive transaction would. Each
  // write is conditional on the member's summaryVersion as read: a member changed since (a
  // delivery, a correction above) is flagged for another run instead.
  await beforeWrites();
  result.shownChanged ||= shown.some((change) => change.shown);
  const batchChangedTier = await runSqlTransactionWithRetries(sql(), function* () {
    const versions = (yield shown.map(({ memberId, heldId, activity, version, lastPlaced, shown: bump }) =>
      row(
        `UPDATE "Member" SET "tierId" = ?, "tierActivity" = ?, "tierLastPlacedMs" = ?, "tierLastPlacedOrderId" = ?, "summaryVersion" = "summaryVersion" + ?, "updatedAt" = ?
         WHERE "id" = ? AND "summaryVersion" = ? RETURNING "summaryVersion"`,
        [heldId, activity, BigInt(lastPlaced.at), lastPlaced.orderId, bump ? 1 : 0, now, memberId, version],
      ),
    )) as (Row | undefined)[];
    const stale = shown.filter((_, index) => !versions[index]);
    result.stale = stale.length;
    const changedTier = shown.flatMap((change, index) => {
      const version = versions[index];
      if (change.previousTierId === change.heldId || !version) return [];
      return [flowEventInsert(shopDomain, tierChangedEvent(change.customerId, nameOf(change.heldId), nameOf(change.previousTierId), Number(version.summaryVersion)), now)];
    });
    const after = [...changedTier, ...stale.map((change) => nothing(`UPDATE "Member" SET "tierPending" = TRUE WHERE "id" = ?`, [change.memberId]))];
    if (after.length > 0) yield after;
    return changedTier.length > 0;
  });
  result.tierChanged ||= batchChangedTier;
  return result;
}

/**
 * A member reaching a tier with entry perks: the new tier and progress, the Flow trigger and the
 * perks (tier-perks.server.ts) in one transaction, the update conditional on the tier read, so
 * of two runs racing only one sees (and rewards) the change; the other flags the member again.
 */
async function enterTier(
  db: Db,
  shopDomain: string,
  change: { memberId: number; customerId: bigint; previousTierId: number | null; heldId: number | null; activity: bigint; lastPlaced: { at: number; orderId: bigint } },
  context: {
    tiers: readonly { id: number; name: string; thresholdPoints: number; entryBonusPoints: number; entryRewardId: number | null }[];
    nameOf: (id: number | null) => string | null;
    period: TierSettings["period"];
    timeZone: string | null;
    currency: string | null;
    now: Date;
  },
  result: TierRecalc,
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const claimed = await tx.member.updateMany({
      where: { id: change.memberId, tierId: change.previousTierId },
      // The newest placement counted too: left older, it would let a delivery placed before an
      // order counted here skip its recalculation.
      data: {
        tierId: change.heldId,
        tierActivity: change.activity,
        tierLastPlacedMs: BigInt(change.lastPlaced.at),
        tierLastPlacedOrderId: change.lastPlaced.orderId,
        summaryVersion: { increment: 1 },
      },
    });
    if (claimed.count === 0) {
      await tx.member.updateMany({ where: { id: change.memberId }, data: { tierPending: true } });
      return;
    }
    const { summaryVersion } = await tx.member.findUniqueOrThrow({ where: { id: change.memberId }, select: { summaryVersion: true } });
    const flow = tierChangedEvent(change.customerId, context.nameOf(change.heldId), context.nameOf(change.previousTierId), summaryVersion);
    await tx.flowEvent.create({ data: { shopDomain, trigger: flow.trigger, customerId: flow.customerId, payload: JSON.stringify(flow.payload), idempotencyKey: flow.idempotencyKey } });
    const grants = await grantTierEntryPerks(tx, {
      shopDomain,
      memberId: change.memberId,
      tiers: tiersEntered(context.tiers, change.previousTierId, change.heldId),
      period: context.period,
      timeZone: context.timeZone,
      currency: context.currency,
      now: context.now,
    });
    result.shownChanged = true;
    result.tierChanged = true;
    result.perkBonusPoints += grants.bonusPoints;
    result.perkRewardsQueued += grants.rewardsQueued;
  });
}

/** Sets one order's multiplier and settles the difference with its holder; null when nothing changed. */
function correctOrder(db: Db, shopDomain: string, orderId: bigint, multiplierPct: number): Promise<number | null> {
  // Plain SQL, like the deliveries it races with: on SQLite it holds the write lock only while it
  // runs (an interactive transaction held it across the event loop's turns, and deliveries waited).
  return runSqlTransactionWithRetries(sql(), () => correctOrderTransaction(shopDomain, orderId, multiplierPct, new Date()));
}

function* correctOrderTransaction(shopDomain: string, orderId: bigint, multiplierPct: number, now: Date): SqlTransaction<number | null> {
  // The row lock every delivery of this order takes first.
  const [snapshot, refunds] = (yield [
    row(`UPDATE "OrderSnapshot" SET "lockVersion" = "lockVersion" + 1 WHERE "shopDomain" = ? AND "orderId" = ? RETURNING *`, [shopDomain, orderId]),
    rows(`SELECT ${REFUND_FACT_COLUMNS} FROM "OrderRefund" WHERE "shopDomain" = ? AND "orderId" = ?`, [shopDomain, orderId]),
  ]) as [Row | undefined, Row[]];
  if (!snapshot || snapshot.earnMultiplierPct === null || Number(snapshot.earnMultiplierPct) === multiplierPct) return null;
  const facts = factsFromRows(orderId, snapshot, refunds);
  const target = orderPoints({ ...facts, rate: { ...facts.rate!, multiplierPct } });
  const delta = target - Number(snapshot.pointsCredited);
  const writes = [nothing(`UPDATE "OrderSnapshot" SET "earnMultiplierPct" = ?, "pointsCredited" = ?, "updatedAt" = ? WHERE "shopDomain" = ? AND "orderId" = ?`, [multiplierPct, BigInt(target), now, shopDomain, orderId])];
  const holder = snapshot.holderMemberId === null || snapshot.holderMemberId === undefined ? null : Number(snapshot.holderMemberId);
  if (delta !== 0 && holder !== null) {
    // Points still in the order's pending period are corrected in pending.
    const pending = storedMs(snapshot.pendingUntil) !== null && !Number(snapshot.pendingReleased);
    const column = pending ? "pendingBalance" : "balance";
    writes.push(
      nothing(
        `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt")
         VALUES (?, ?, ?, 'tier_adjustment', ?, 'order', ?, 'job:tier-recalc', ?, ?, ?)`,
        [shopDomain, holder, BigInt(delta), pending ? "pending" : "available", String(orderId), `earns under the tier held when it was placed (×${multiplierPct / 100})`, `order:${orderId}:tier:${Number(snapshot.lockVersion)}`, now],
      ),
      // Corrections of earned points count as earned (tiers and the storefront read lifetimeEarned).
      nothing(
        `UPDATE "Member" SET "${column}" = "${column}" + ?, "lifetimeEarned" = "lifetimeEarned" + ?, "summaryVersion" = "summaryVersion" + 1, "lastActivityMs" = ?, "updatedAt" = ? WHERE "id" = ?`,
        [BigInt(delta), BigInt(delta), now.getTime(), now, holder],
      ),
    );
  }
  yield writes;
  return delta;
}
