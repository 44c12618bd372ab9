// A member's points history as shoppers read it (the customer-account Rewards page): the ledger,
// newest first, a page at a time, each row with what a shopper can recognise it by (the order,
// the reward) and none of the notes staff or jobs wrote for themselves.
import type { Db } from "~/db.server";
import { jsonId, type ShopifyId } from "./shopify-id";

export const ACTIVITY_PAGE_SIZE = 20;
export const MAX_ACTIVITY_PAGE_SIZE = 50;

export interface ActivityEntry {
  id: number;
  /** The ledger kind: earn, refund_reversal, cancel_reversal, order_edit, order_move, pending_release, redeem, redeem_refund, manual_adjust, signup, birthday, referral, expiry. */
  kind: string;
  /** Signed: what the entry added to (or took from) the balance. */
  points: number;
  status: "available" | "pending";
  createdAt: string;
  /** The order it came from (an order's own entries, and refunds of it). */
  orderId: number | null;
  /** The reward's title as redeemed (redeem and redeem_refund entries). */
  reward: string | null;
}

export interface ActivityPage {
  entries: ActivityEntry[];
  /** Pass as `before` for the next (older) page; null on the last. */
  next: number | null;
}

/** A page of the customer's history in the shop, entries older than `before` (an entry id) when given. */
export async function memberActivity(db: Db, shopDomain: string, customerId: ShopifyId, page: { before: number | null; limit: number }): Promise<ActivityPage> {
  const member = await db.member.findUnique({ where: { shopDomain_customerId: { shopDomain, customerId } }, select: { id: true } });
  if (!member) return { entries: [], next: null };
  const rows = await db.ledgerEntry.findMany({
    // A release is two rows (out of pending, into the balance); shoppers see the second alone.
    where: { memberId: member.id, shopDomain, NOT: { kind: "pending_release", status: "pending" }, ...(page.before === null ? {} : { id: { lt: page.before } }) },
    orderBy: { id: "desc" },
    take: page.limit + 1,
    select: { id: true, kind: true, delta: true, status: true, createdAt: true, sourceType: true, sourceId: true },
  });
  const shown = rows.slice(0, page.limit);
  const idsOf = (sourceType: string) => shown.filter((row) => row.sourceType === sourceType && /^\d{1,19}$/.test(row.sourceId)).map((row) => row.sourceId);
  const [refunds, redemptions] = await Promise.all([
    db.orderRefund.findMany({ where: { shopDomain, refundId: { in: idsOf("refund").map(BigInt) } }, select: { refundId: true, orderId: true } }),
    // The member's own redemptions only, whatever a sourceId says.
    db.redemption.findMany({ where: { memberId: member.id, id: { in: idsOf("reward").map(Number).filter(Number.isSafeInteger) } }, select: { id: true, title: true } }),
  ]);
  const orderOfRefund = new Map(refunds.map((refund) => [String(refund.refundId), refund.orderId]));
  const titleOf = new Map(redemptions.map((redemption) => [String(redemption.id), redemption.title]));
  const entries = shown.map((row): ActivityEntry => {
    const orderId = row.sourceType === "order" && /^\d{1,19}$/.test(row.sourceId) ? BigInt(row.sourceId) : row.sourceType === "refund" ? orderOfRefund.get(row.sourceId) ?? null : null;
    return {
      id: row.id,
      kind: row.kind,
      points: Number(row.delta),
      status: row.status === "pending" ? "pending" : "available",
      createdAt: row.createdAt.toISOString(),
      orderId: orderId === null ? null : jsonId(orderId),
      reward: row.sourceType === "reward" ? titleOf.get(row.sourceId) ?? null : null,
    };
  });
  return { entries, next: rows.length > page.limit ? shown[shown.length - 1].id : null };
}
