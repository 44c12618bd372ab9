// What the admin's audit card needs (app/components/LedgerAuditCard.tsx).
import type { Db } from "~/db.server";
import type { LastReconciliation } from "~/components/LedgerAuditCard";
import { lastReconcileRun } from "./reconcile.server";

export async function lastReconciliation(db: Db, shop: string): Promise<LastReconciliation | null> {
  const run = await lastReconcileRun(db, shop);
  if (!run) return null;
  return {
    status: run.status,
    trigger: run.trigger,
    since: run.since.toISOString(),
    until: run.until.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    ordersSeen: run.ordersSeen,
    ordersRepaired: run.ordersRepaired,
    pointsRepaired: Number(run.pointsRepaired),
    ordersSkipped: run.ordersSkipped,
    error: run.error,
  };
}
