// Makes every order of a member earn under the tier the tier timeline gives it (tier-timeline.ts),
// whatever order the webhooks came in. A delivery takes a first guess at its order's multiplier
// (the member's tier by lifetime points when it is processed) and flags the member
// (Member.tierPending); the tier-recalculation job then re-reads all of the member's orders and
// corrects each order whose multiplier differs, one transaction per order under its row lock,
// with a `tier_adjustment` ledger row keyed by the snapshot version. Safe to run any number of
// times, at the same time as deliveries: a delivery during a run flags the member again.
import type { Db, Prisma } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { currencyExponent } from "./money";
import { orderPoints, type OrderFacts } from "./order";
import { parseProgram, type TierSettings } from "./program";
import { currentActivity, tierHeldAt, tiersOfOrders, type ActivityOrder, type TierThreshold } from "./tier-timeline";
import { tierChangedEvent } from "./flow-events";
import { inTransaction } from "./transaction.server";
import { tiersEntered } from "./tier-perks";
import { tierMultiplierAt, type TierVersion, type VersionedTier } from "./program-versions";
import { grantTierEntryPerks } from "./tier-perks.server";

type Snapshot = Prisma.OrderSnapshotGetPayload<object>;
type Refund = Prisma.OrderRefundGetPayload<object>;

/** Members of the shop waiting for a recalculation. */
export async function membersAwaitingTierRecalc(db: Db, shopDomain: string, limit = 200): Promise<number[]> {
  const rows = await db.member.findMany({ where: { shopDomain, tierPending: true }, select: { id: true }, orderBy: { id: "asc" }, take: limit });
  return rows.map((row) => row.id);
}

export async function shopsAwaitingTierRecalc(db: Db): Promise<string[]> {
  const rows = await db.member.findMany({ where: { tierPending: true }, distinct: ["shopDomain"], select: { shopDomain: true }, take: 1000 });
  return rows.map((row) => row.shopDomain);
}

/** The order's facts from its stored rows (as the ledger reads them). */
export function snapshotFacts(snapshot: Snapshot, refunds: readonly Refund[]): OrderFacts {
  const rate =
    snapshot.earnPoints === null || snapshot.earnPerMajorUnits === null || snapshot.earnMultiplierPct === null
      ? null
      : { points: snapshot.earnPoints, perMajorUnits: snapshot.earnPerMajorUnits, multiplierPct: snapshot.earnMultiplierPct };
  return {
    orderId: snapshot.orderId,
    paid: snapshot.paidAt !== null,
    cancelled: snapshot.cancelledAt !== null,
    customerId: snapshot.customerId,
    customerUpdatedAt: snapshot.customerUpdatedAt?.getTime() ?? null,
    currency: snapshot.currency,
    taxesIncluded: snapshot.taxesIncluded,
    versionUpdatedAt: snapshot.versionUpdatedAt?.getTime() ?? null,
    eligibleMinor: snapshot.eligibleMinor === null ? null : Number(snapshot.eligibleMinor),
    amountExponent: snapshot.amountExponent,
    rate,
    refunds: new Map(
      refunds.map((refund) => [
        refund.refundId,
        { subtotalMinor: Number(refund.subtotalMinor), taxMinor: Number(refund.taxMinor), amountExponent: refund.amountExponent, refundedAt: refund.refundedAt?.getTime() ?? null },
      ]),
    ),
    processedAt: snapshot.processedAt?.getTime() ?? null,
    cancelledAt: snapshot.shopifyCancelledAt?.getTime() ?? null,
  };
}

/**
 * The order's qualifying activity over time: base points (no multiplier) or amount in minor
 * units, when placed and after each refund (by Shopify's created_at) and the cancellation.
 */
export function activityOf(snapshot: Snapshot, refunds: readonly Refund[], basis: TierSettings["basis"], shopExponent: number): ActivityOrder | null {
  const facts = snapshotFacts(snapshot, refunds);
  if (!facts.paid || facts.rate === null) return null;
  const rate = basis === "points" ? { ...facts.rate, multiplierPct: 100 } : { points: 10 ** shopExponent, perMajorUnits: 1, multiplierPct: 100 };
  const placedAt = facts.processedAt ?? snapshot.paidAt!.getTime();
  const value = (kept: readonly Refund[], cancelled = false) =>
    orderPoints({ ...snapshotFacts(snapshot, kept), cancelled, rate, customerId: facts.customerId ?? 0n });
  const sorted = [...refunds].sort((a, b) => (a.refundedAt ?? a.createdAt).getTime() - (b.refundedAt ?? b.createdAt).getTime());
  const changes = sorted.map((refund, index) => ({ at: (refund.refundedAt ?? refund.createdAt).getTime(), activity: value(sorted.slice(0, index + 1)) }));
  if (facts.cancelled) changes.push({ at: facts.cancelledAt ?? snapshot.cancelledAt!.getTime(), activity: 0 });
  return { orderId: snapshot.orderId, processedAt: placedAt, activity: value([]), changes };
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
  /** Entry perks given with the change: bonus points, and rewards waiting for the redemption-settle job. */
  perkBonusPoints: number;
  perkRewardsQueued: number;
}

/** Re-reads which tier each of the member's paid orders earns under and corrects those that differ. */
export async function recalculateMemberTiers(db: Db, shopDomain: string, memberId: number, now = new Date()): Promise<TierRecalc> {
  // Cleared first: a delivery from here on flags the member again, and another run follows.
  await db.member.updateMany({ where: { id: memberId, tierPending: true }, data: { tierPending: false } });
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { program: true, currency: true, timezone: true } });
  if (!shop) return { corrected: 0, delta: 0, shownChanged: false, tierChanged: false, perkBonusPoints: 0, perkRewardsQueued: 0 };
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

  const snapshots = await db.orderSnapshot.findMany({ where: { shopDomain, holderMemberId: memberId, paidAt: { not: null } } });
  const refunds = await db.orderRefund.findMany({ where: { shopDomain, orderId: { in: snapshots.map((snapshot) => snapshot.orderId) } } });
  const refundsOf = (orderId: bigint) => refunds.filter((refund) => refund.orderId === orderId);
  const orders = snapshots.flatMap((snapshot) => activityOf(snapshot, refundsOf(snapshot.orderId), settings.basis, exponent) ?? []);
  const options = { period: settings.period, timeZone: shop.timezone };
  const tierOfOrder = tiersOfOrders(orders, thresholds, options);

  const result: TierRecalc = { corrected: 0, delta: 0, shownChanged: false, tierChanged: false, perkBonusPoints: 0, perkRewardsQueued: 0 };
  for (const snapshot of snapshots) {
    const placedAtMs = (snapshot.processedAt ?? snapshot.paidAt)?.getTime() ?? 0;
    const multiplier = multiplierOf(tierOfOrder.get(snapshot.orderId) ?? null, placedAtMs);
    if (snapshot.earnMultiplierPct === null || snapshot.earnMultiplierPct === multiplier) continue;
    const delta = await correctOrder(db, shopDomain, snapshot.orderId, multiplier);
    if (delta !== null) {
      result.corrected++;
      result.delta += delta;
    }
  }
  const held = tierHeldAt(orders, thresholds, options, { at: now.getTime(), orderId: 0n, seq: 0 });
  const activity = currentActivity(orders, options, now.getTime());
  const member = await db.member.findUnique({ where: { id: memberId }, select: { tierId: true, tierActivity: true, customerId: true } });
  const heldId = held?.id ?? null;
  if (member && (member.tierId !== heldId || member.tierActivity !== BigInt(activity))) {
    // The storefront shows the held tier and this progress: a change reaches its summary too; a
    // change of tier is a Shopify Flow trigger (sent by the flow-triggers job), and reaching a
    // tier gives its entry perks, in the same transaction. The update is conditional on the tier
    // read above, so of two runs racing only one sees (and rewards) the change.
    await inTransaction(db, async (tx) => {
      const claimed = await tx.member.updateMany({
        where: { id: memberId, tierId: member.tierId },
        data: { tierId: heldId, tierActivity: BigInt(activity), summaryVersion: { increment: 1 } },
      });
      if (claimed.count === 0) {
        // Changed meanwhile: look again.
        await tx.member.updateMany({ where: { id: memberId }, data: { tierPending: true } });
        return;
      }
      result.shownChanged = true;
      if (member.tierId === heldId) return;
      const updated = await tx.member.findUniqueOrThrow({ where: { id: memberId }, select: { summaryVersion: true } });
      const nameOf = (id: number | null) => tiers.find((tier) => tier.id === id)?.name ?? null;
      const flow = tierChangedEvent(member.customerId, nameOf(heldId), nameOf(member.tierId), updated.summaryVersion);
      await tx.flowEvent.create({ data: { shopDomain, trigger: flow.trigger, customerId: flow.customerId, payload: JSON.stringify(flow.payload), idempotencyKey: flow.idempotencyKey } });
      result.tierChanged = true;
      const entered = tiersEntered(tiers, member.tierId, heldId);
      if (entered.length > 0) {
        const grants = await grantTierEntryPerks(tx, { shopDomain, memberId, tiers: entered, period: settings.period, timeZone: shop.timezone, currency: shop.currency, now });
        result.perkBonusPoints = grants.bonusPoints;
        result.perkRewardsQueued = grants.rewardsQueued;
      }
    });
  }
  return result;
}

/** Sets one order's multiplier and settles the difference with its holder; null when nothing changed. */
function correctOrder(db: Db, shopDomain: string, orderId: bigint, multiplierPct: number): Promise<number | null> {
  return inTransaction(db, async (tx) => {
    // The row lock every delivery of this order takes first.
    const snapshot = await tx.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain, orderId } }, data: { lockVersion: { increment: 1 } } });
    if (snapshot.earnMultiplierPct === null || snapshot.earnMultiplierPct === multiplierPct) return null;
    const facts = snapshotFacts(snapshot, await tx.orderRefund.findMany({ where: { shopDomain, orderId } }));
    const target = orderPoints({ ...facts, rate: { ...facts.rate!, multiplierPct } });
    const delta = target - Number(snapshot.pointsCredited);
    await tx.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain, orderId } }, data: { earnMultiplierPct: multiplierPct, pointsCredited: BigInt(target) } });
    if (delta !== 0 && snapshot.holderMemberId !== null) {
      await writeBalanceChange(tx, {
        shopDomain,
        memberId: snapshot.holderMemberId,
        delta,
        kind: "tier_adjustment",
        sourceType: "order",
        sourceId: String(orderId),
        actor: "job:tier-recalc",
        note: `earns under the tier held when it was placed (×${multiplierPct / 100})`,
        idempotencyKey: `order:${orderId}:tier:${snapshot.lockVersion}`,
        earned: true,
        status: snapshot.pendingUntil !== null && !snapshot.pendingReleased ? "pending" : "available",
      });
    }
    return delta;
  });
}
