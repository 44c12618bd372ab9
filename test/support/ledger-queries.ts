// Reads the database the way an auditor would: balances, ledger sums, row counts.
import type { Db } from "~/db.server";
import { TEST_SHOP } from "../../dev/simulator/shopify-signing";

export async function memberOf(db: Db, customerId: number | bigint, shop = TEST_SHOP) {
  return db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: shop, customerId: BigInt(customerId) } } });
}

export async function balanceOf(db: Db, customerId: number | bigint, shop = TEST_SHOP): Promise<number | null> {
  const member = await memberOf(db, customerId, shop);
  return member ? Number(member.balance) : null;
}

export async function ledgerOf(db: Db, customerId: number | bigint, shop = TEST_SHOP) {
  const member = await memberOf(db, customerId, shop);
  if (!member) return [];
  const rows = await db.ledgerEntry.findMany({ where: { memberId: member.id }, orderBy: { id: "asc" } });
  return rows.map((row) => ({ kind: row.kind, delta: Number(row.delta), key: row.idempotencyKey }));
}

/** Every member's balance must equal the sum of its available ledger entries, its pending balance the sum of its pending ones. */
export async function balancesMatchLedger(db: Db): Promise<{ memberId: number; balance: number; ledger: number; pendingBalance: number; pendingLedger: number }[]> {
  const members = await db.member.findMany({ include: { ledger: true } });
  const sum = (entries: { delta: bigint }[]) => entries.reduce((total, entry) => total + Number(entry.delta), 0);
  return members
    .map((member) => ({
      memberId: member.id,
      balance: Number(member.balance),
      ledger: sum(member.ledger.filter((entry) => entry.status === "available")),
      pendingBalance: Number(member.pendingBalance),
      pendingLedger: sum(member.ledger.filter((entry) => entry.status === "pending")),
    }))
    .filter((row) => row.balance !== row.ledger || row.pendingBalance !== row.pendingLedger);
}

export async function rowCounts(db: Db) {
  const [shops, members, ledger, orders, refunds, rewards, dataRequests, sessions] = await Promise.all([
    db.shop.count(),
    db.member.count(),
    db.ledgerEntry.count(),
    db.orderSnapshot.count(),
    db.orderRefund.count(),
    db.reward.count(),
    db.dataRequest.count(),
    db.session.count(),
  ]);
  return { shops, members, ledger, orders, refunds, rewards, dataRequests, sessions };
}
