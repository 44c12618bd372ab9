// Writes a manual adjustment: one `manual_adjust` ledger row (the staff member as actor, the
// reason as note) and the balance, through writeBalanceChange, in one transaction. A debit that
// would leave the balance below zero rolls back whole; the form's key makes a repeated submit a
// no-op.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import type { ManualAdjustment } from "./manual-adjustment";
import { inTransaction } from "./transaction.server";

export type AdjustmentResult =
  | { status: "adjusted"; balance: number }
  /** The same form was submitted before: nothing changed this time. */
  | { status: "already_recorded"; balance: number }
  | { status: "not_found" }
  | { status: "below_zero"; balance: number };

class BelowZero extends Error {
  constructor(readonly balance: number) {
    super("the adjustment would leave the balance below zero");
  }
}

export async function adjustMemberPoints(db: Db, shopDomain: string, memberId: number, adjustment: ManualAdjustment, actor: string): Promise<AdjustmentResult> {
  const idempotencyKey = `manual:${adjustment.key}`;
  const recorded = () => db.ledgerEntry.findUnique({ where: { shopDomain_idempotencyKey: { shopDomain, idempotencyKey } }, select: { id: true } });
  const currentBalance = async () => Number((await db.member.findFirst({ where: { id: memberId, shopDomain }, select: { balance: true } }))?.balance ?? 0);
  if (await recorded()) return { status: "already_recorded", balance: await currentBalance() };
  try {
    return await inTransaction(db, async (tx) => {
      // Another shop's member is not found: the shop comes from the session, never the form.
      const member = await tx.member.findFirst({ where: { id: memberId, shopDomain }, select: { id: true } });
      if (!member) return { status: "not_found" } as const;
      await writeBalanceChange(tx, {
        shopDomain,
        memberId,
        delta: adjustment.points,
        kind: "manual_adjust",
        sourceType: "manual",
        sourceId: adjustment.key,
        actor,
        note: adjustment.reason,
        idempotencyKey,
        earned: false,
      });
      // Read after the increment, which waited for any concurrent change to this member: a
      // debit is refused exactly when the balance it leaves is negative.
      const { balance } = await tx.member.findUniqueOrThrow({ where: { id: memberId }, select: { balance: true } });
      if (adjustment.points < 0 && balance < 0n) throw new BelowZero(Number(balance) - adjustment.points);
      return { status: "adjusted", balance: Number(balance) } as const;
    });
  } catch (error) {
    if (error instanceof BelowZero) return { status: "below_zero", balance: error.balance };
    // A concurrent submit of the same form won the key (the transaction's retry found it taken).
    if (await recorded()) return { status: "already_recorded", balance: await currentBalance() };
    throw error;
  }
}
