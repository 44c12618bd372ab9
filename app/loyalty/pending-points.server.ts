// Pending points: with a pending period, an order's points wait until its processed_at plus the
// period (OrderSnapshot.pendingUntil, set by the order ledger when the order first earns). The
// release moves what the order holds then (after any refund or edit in the period) from the
// holder's pendingBalance to their balance: two ledger rows under keys of their own, in one
// transaction under the order's row lock, so a delivery of the same order waits for it and a
// second run finds the order released and does nothing.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { inTransaction } from "./transaction.server";

export interface DueRelease {
  shopDomain: string;
  orderId: bigint;
}

/** Orders whose pending period is over and whose points are not released yet, oldest first. */
export async function dueReleases(db: Db, now: Date, limit: number): Promise<DueRelease[]> {
  return db.orderSnapshot.findMany({
    where: { pendingReleased: false, pendingUntil: { lte: now } },
    select: { shopDomain: true, orderId: true },
    orderBy: { pendingUntil: "asc" },
    take: limit,
  });
}

/** Releases one order's pending points; returns the points moved to the balance (0: none, or already released). */
export function releasePendingPoints(db: Db, { shopDomain, orderId }: DueRelease, now: Date): Promise<number> {
  return inTransaction(db, async (tx) => {
    // The row lock every delivery of the order takes first.
    const snapshot = await tx.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain, orderId } }, data: { lockVersion: { increment: 1 } } });
    if (snapshot.pendingReleased || snapshot.pendingUntil === null || snapshot.pendingUntil > now) return 0;
    await tx.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain, orderId } }, data: { pendingReleased: true } });
    const points = snapshot.pointsCredited;
    if (points === 0n || snapshot.holderMemberId === null) return 0;
    const release = { shopDomain, memberId: snapshot.holderMemberId, kind: "pending_release", sourceType: "order", sourceId: String(orderId), actor: "job:pending-release", earned: false };
    await writeBalanceChange(tx, { ...release, delta: -points, status: "pending", idempotencyKey: `order:${orderId}:release:pending` });
    await writeBalanceChange(tx, { ...release, delta: points, status: "available", idempotencyKey: `order:${orderId}:release` });
    return Number(points);
  });
}
