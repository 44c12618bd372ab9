// One change of a member's points outside the order ledger's plain-SQL path (redemptions,
// referrals, signup and birthday bonuses, tier corrections): the ledger row under its
// idempotency key and the member's balance, in the caller's transaction. Each balance change
// bumps summaryVersion, so the storefront's copy follows (customer-summary.server.ts).
import type { Prisma } from "~/db.server";
import { FLOW_EARNED_KINDS, pointsEarnedEvent } from "./flow-events";

export interface BalanceChange {
  shopDomain: string;
  memberId: number;
  delta: bigint | number;
  kind: string;
  sourceType: string;
  sourceId: string;
  actor: string;
  note?: string | null;
  idempotencyKey: string;
  /** Counts toward lifetimeEarned: bonuses and corrections of earned points, not redemptions (VIP tiers count orders only). */
  earned: boolean;
  /** Pending points (an order still in its pending period) move pendingBalance instead of balance. */
  status?: "available" | "pending";
}

export async function writeBalanceChange(tx: Prisma.TransactionClient, change: BalanceChange): Promise<void> {
  const delta = BigInt(change.delta);
  await tx.ledgerEntry.create({
    data: {
      shopDomain: change.shopDomain,
      memberId: change.memberId,
      delta,
      kind: change.kind,
      sourceType: change.sourceType,
      sourceId: change.sourceId,
      actor: change.actor,
      note: change.note ?? null,
      idempotencyKey: change.idempotencyKey,
      status: change.status ?? "available",
    },
  });
  const member = await tx.member.update({
    where: { id: change.memberId },
    data: {
      [change.status === "pending" ? "pendingBalance" : "balance"]: { increment: delta },
      ...(change.earned ? { lifetimeEarned: { increment: delta } } : {}),
      summaryVersion: { increment: 1 },
      lastActivityMs: Date.now(),
    },
  });
  // A bonus earned is a Shopify Flow trigger (sent by the flow-triggers job).
  if (delta > 0n && FLOW_EARNED_KINDS.has(change.kind)) {
    const event = pointsEarnedEvent(member.customerId, Number(delta), change.kind, change.idempotencyKey);
    await tx.flowEvent.create({ data: { shopDomain: change.shopDomain, trigger: event.trigger, customerId: event.customerId, payload: JSON.stringify(event.payload), idempotencyKey: event.idempotencyKey } });
  }
}
