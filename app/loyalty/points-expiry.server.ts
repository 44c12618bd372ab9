// Points expire after program.expiryDays without activity: a member whose last ledger row (or
// enrolment, Member.lastActivityMs) is older loses their available balance in one `expiry` row,
// keyed by that last activity, so a run repeated or cut short never takes twice; any activity
// (an order, a redemption, a bonus) starts the clock again. Pending points are not touched
// (they are not spendable yet; their release counts as activity). Reminders 30 and 3 days
// before are Shopify Flow triggers (flow-events.ts), recorded once per stretch of inactivity.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { pointsExpiringEvent } from "./flow-events";
import { parseProgram } from "./program";
import { inTransaction } from "./transaction.server";

const DAY_MS = 86_400_000;
export const EXPIRY_REMINDER_DAYS = [30, 3] as const;
/** Members a reminder window looks back over: a run missed for up to this long still reminds. */
const REMINDER_WINDOW_MS = DAY_MS;
const BATCH = 500;

/** Shops whose program expires points. */
export async function shopsWithExpiry(db: Db): Promise<{ domain: string; expiryDays: number }[]> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true, program: true } });
  return shops.flatMap((shop) => {
    const { expiryDays, enabled } = parseProgram(shop.program);
    return expiryDays !== null && enabled ? [{ domain: shop.domain, expiryDays }] : [];
  });
}

/** Expires the balances of the shop's members inactive for expiryDays; returns the members expired. */
export async function expireInactivePoints(db: Db, shopDomain: string, expiryDays: number, now = Date.now(), keepLease?: () => Promise<void>): Promise<number> {
  const cutoff = BigInt(now - expiryDays * DAY_MS);
  let expired = 0;
  for (;;) {
    // The (shop, lastActivityMs, id) index: the inactive members first.
    const due = await db.member.findMany({
      where: { shopDomain, lastActivityMs: { lt: cutoff }, balance: { gt: 0 } },
      select: { id: true },
      orderBy: [{ lastActivityMs: "asc" }, { id: "asc" }],
      take: BATCH,
    });
    for (const { id } of due) if (await expireMember(db, shopDomain, id, cutoff)) expired++;
    if (due.length < BATCH) return expired;
    await keepLease?.();
  }
}

function expireMember(db: Db, shopDomain: string, memberId: number, cutoff: bigint): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    // Read again inside the transaction: an order or a redemption since the query keeps the points.
    const member = await tx.member.findUnique({ where: { id: memberId }, select: { balance: true, lastActivityMs: true } });
    if (!member || member.balance <= 0n || member.lastActivityMs >= cutoff) return false;
    await writeBalanceChange(tx, {
      shopDomain,
      memberId,
      delta: -member.balance,
      kind: "expiry",
      sourceType: "expiry",
      sourceId: String(member.lastActivityMs),
      actor: "job:points-expiry",
      note: "no activity since " + new Date(Number(member.lastActivityMs)).toISOString().slice(0, 10),
      idempotencyKey: `expiry:${memberId}:${member.lastActivityMs}`,
      earned: false,
    });
    return true;
  });
}

/** Records the reminders of members whose points expire in 30 or 3 days; returns how many were new. */
export async function recordExpiryReminders(db: Db, shopDomain: string, expiryDays: number, now = Date.now()): Promise<number> {
  let recorded = 0;
  for (const daysLeft of EXPIRY_REMINDER_DAYS) {
    if (expiryDays <= daysLeft) continue;
    // Members whose last activity puts their expiry `daysLeft` days from now (within the window).
    const latest = now - (expiryDays - daysLeft) * DAY_MS;
    const members = await db.member.findMany({
      where: { shopDomain, balance: { gt: 0 }, lastActivityMs: { gt: BigInt(latest - REMINDER_WINDOW_MS), lte: BigInt(latest) } },
      select: { customerId: true, balance: true, lastActivityMs: true },
    });
    for (const member of members) {
      const expiresAt = Number(member.lastActivityMs) + expiryDays * DAY_MS;
      const flow = pointsExpiringEvent(member.customerId, Number(member.balance), expiresAt, daysLeft, Number(member.lastActivityMs));
      const existing = await db.flowEvent.findUnique({ where: { shopDomain_idempotencyKey: { shopDomain, idempotencyKey: flow.idempotencyKey } }, select: { id: true } });
      if (existing) continue;
      await db.flowEvent.upsert({
        where: { shopDomain_idempotencyKey: { shopDomain, idempotencyKey: flow.idempotencyKey } },
        create: { shopDomain, trigger: flow.trigger, customerId: flow.customerId, payload: JSON.stringify(flow.payload), idempotencyKey: flow.idempotencyKey },
        update: {},
      });
      recorded++;
    }
  }
  return recorded;
}
