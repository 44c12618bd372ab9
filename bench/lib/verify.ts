// After the load: did every delivery land exactly once, and do balances agree with the ledger?
// A fast server that drops or doubles credits would otherwise look like a good result.
import type { Db } from "./database";

export interface LedgerCheck {
  ok: boolean;
  ordersSent: number;
  earnRows: number;
  /** Orders sent that have no earn row, and orders with more than one. */
  missingOrders: number;
  duplicatedOrders: number;
  /** Earn rows for orders the bench never sent. */
  unexpectedRows: number;
  /** Earn rows that credited nothing or took points away. */
  nonPositiveRows: number;
  memberBalanceSum: string;
  ledgerDeltaSum: string;
  /** Members whose balance differs from the sum of their own ledger rows. */
  membersOutOfBalance: number;
  problems: string[];
}

export async function checkLedger(db: Db, shopDomain: string, orderIdsSent: readonly number[]): Promise<LedgerCheck> {
  const earnRows = await db.ledgerEntry.findMany({
    where: { shopDomain, kind: "earn", sourceType: "order" },
    select: { sourceId: true, delta: true },
  });
  const rowsPerOrder = new Map<string, number>();
  for (const row of earnRows) rowsPerOrder.set(row.sourceId, (rowsPerOrder.get(row.sourceId) ?? 0) + 1);
  const sent = new Set(orderIdsSent.map(String));
  const missingOrders = [...sent].filter((id) => !rowsPerOrder.has(id)).length;
  const duplicatedOrders = [...rowsPerOrder.values()].filter((rows) => rows > 1).length;
  const unexpectedRows = earnRows.filter((row) => !sent.has(row.sourceId)).length;
  const nonPositiveRows = earnRows.filter((row) => row.delta <= 0n).length;

  const [balances, deltas, members, perMember] = await Promise.all([
    db.member.aggregate({ where: { shopDomain }, _sum: { balance: true } }),
    db.ledgerEntry.aggregate({ where: { shopDomain }, _sum: { delta: true } }),
    db.member.findMany({ where: { shopDomain }, select: { id: true, balance: true } }),
    db.ledgerEntry.groupBy({ by: ["memberId"], where: { shopDomain }, _sum: { delta: true } }),
  ]);
  const memberBalanceSum = balances._sum.balance ?? 0n;
  const ledgerDeltaSum = deltas._sum.delta ?? 0n;
  const ledgerByMember = new Map(perMember.map((group) => [group.memberId, group._sum.delta ?? 0n]));
  const membersOutOfBalance = members.filter((member) => member.balance !== (ledgerByMember.get(member.id) ?? 0n)).length;

  const problems = [
    missingOrders && `${missingOrders} order(s) sent have no earn row`,
    duplicatedOrders && `${duplicatedOrders} order(s) have more than one earn row`,
    unexpectedRows && `${unexpectedRows} earn row(s) for orders never sent`,
    nonPositiveRows && `${nonPositiveRows} earn row(s) with delta ≤ 0`,
    memberBalanceSum !== ledgerDeltaSum && `Σ member.balance ${memberBalanceSum} ≠ Σ ledger delta ${ledgerDeltaSum}`,
    membersOutOfBalance && `${membersOutOfBalance} member(s) whose balance differs from their ledger`,
  ].filter((problem): problem is string => typeof problem === "string");

  return {
    ok: problems.length === 0,
    ordersSent: sent.size,
    earnRows: earnRows.length,
    missingOrders,
    duplicatedOrders,
    unexpectedRows,
    nonPositiveRows,
    memberBalanceSum: String(memberBalanceSum),
    ledgerDeltaSum: String(ledgerDeltaSum),
    membersOutOfBalance,
    problems,
  };
}
