// The admin's Home: the shop's figures over a period, summed by the database (never whole tables
// in memory), and the setup checklist's state. Points come from the ledger's day sums
// (LedgerDaySum, app/loyalty/ledger-days.server.ts) for the days summed and from the ledger itself
// after them; every other sum reads an index made for it (prisma/schema.prisma, "The admin's
// Home"). `npm run bench:dashboard` measures them at 100,000 members.
import type { Db } from "~/db.server";
import { row, rows, runSqlReads, type Row } from "~/sql-transaction.server";
import type { SqlConnection } from "~/sql.server";
import {
  appEmbedDeepLink,
  percent,
  periodRange,
  pointsFlow,
  pointsSeries,
  pointValue,
  SETUP_STEPS,
  type DashboardPeriod,
  type KindSum,
  type SetupStepName,
} from "./dashboard";
import { lastSummedDay, nextDay } from "./ledger-days.server";
import { currencyExponent } from "./money";
import { DEFAULT_PROGRAM } from "./program";
import { commitProgramChange, StaleProgramError } from "./program-versions.server";
import { forgetShop } from "./shop-cache.server";
import { ensureShop } from "./shops.server";
import { inTransaction } from "./transaction.server";

const TOP_REFERRERS = 5;
const number = (value: unknown) => Number(value ?? 0);

export async function dashboard(db: Db, connection: SqlConnection, shopDomain: string, period: DashboardPeriod, now = new Date()) {
  const shop = await inTransaction(db, (tx) => ensureShop(tx, shopDomain));
  const range = periodRange(period, now);
  const postgres = connection.provider === "postgresql";
  // Both databases keep UTC. SQLite's timestamps are ISO text: the period starts on a whole day,
  // so its date compares right against every row's text (whatever wrote it).
  const sinceDay = range.since.toISOString().slice(0, 10);
  const since = postgres ? range.since : sinceDay;
  const bucket = postgres
    ? `to_char("createdAt", '${range.bucket === "day" ? "YYYY-MM-DD" : "YYYY-MM"}')`
    : `substr("createdAt", 1, ${range.bucket === "day" ? 10 : 7})`;
  // Days summed (through `summed`) come from LedgerDaySum; the ledger is read after them only.
  const summed = await lastSummedDay(connection, shopDomain);
  const ledgerFromDay = summed !== null && summed >= sinceDay ? nextDay(summed) : sinceDay;
  const ledgerFrom = postgres ? new Date(`${ledgerFromDay}T00:00:00Z`) : ledgerFromDay;
  const paidOrders = `FROM "OrderSnapshot" WHERE "shopDomain" = ? AND "paidAt" >= ? AND "cancelledAt" IS NULL AND "customerId" IS NOT NULL`;
  const [daySums, ledger, members, joined, buyers, amounts, referrers] = (await runSqlReads(connection, [
    rows(
      `SELECT substr("day", 1, ${range.bucket === "day" ? 10 : 7}) AS "bucket", "kind", SUM("points") AS "points" FROM "LedgerDaySum"
       WHERE "shopDomain" = ? AND "day" >= ? GROUP BY substr("day", 1, ${range.bucket === "day" ? 10 : 7}), "kind"`,
      [shopDomain, sinceDay],
    ),
    rows(`SELECT ${bucket} AS "bucket", "kind", SUM("delta") AS "points" FROM "LedgerEntry" WHERE "shopDomain" = ? AND "createdAt" >= ? GROUP BY ${bucket}, "kind"`, [shopDomain, ledgerFrom]),
    row(`SELECT COUNT(*) AS "total", SUM(CASE WHEN "balance" > 0 THEN "balance" ELSE 0 END) AS "outstanding" FROM "Member" WHERE "shopDomain" = ?`, [shopDomain]),
    row(`SELECT COUNT(*) AS "joined" FROM "Member" WHERE "shopDomain" = ? AND "createdAt" >= ?`, [shopDomain, since]),
    row(
      `SELECT COUNT(*) AS "buyers", SUM(CASE WHEN "orders" >= 2 THEN 1 ELSE 0 END) AS "repeaters", SUM("orders") AS "orders"
       FROM (SELECT "customerId", COUNT(*) AS "orders" ${paidOrders} GROUP BY "customerId") AS "perCustomer"`,
      [shopDomain, since],
    ),
    rows(`SELECT "amountExponent" AS "exponent", COUNT(*) AS "orders", SUM("eligibleMinor") AS "amount" ${paidOrders} AND "eligibleMinor" IS NOT NULL GROUP BY "amountExponent"`, [shopDomain, since]),
    rows(
      `SELECT "referrerMemberId" AS "memberId", COUNT(*) AS "referrals", SUM("points") AS "points" FROM "Referral"
       WHERE "shopDomain" = ? AND "status" = 'credited' AND "createdAt" >= ? GROUP BY "referrerMemberId" ORDER BY COUNT(*) DESC, SUM("points") DESC, "referrerMemberId" LIMIT ${TOP_REFERRERS}`,
      [shopDomain, since],
    ),
  ])) as [Row[], Row[], Row, Row, Row, Row[], Row[]];

  const sums: KindSum[] = [...daySums, ...ledger].map((entry) => ({ bucket: String(entry.bucket), kind: String(entry.kind), points: number(entry.points) }));
  const flow = pointsFlow(sums);
  const exponent = shop.currency ? currencyExponent(shop.currency) : 2;
  const [rewards, referrerMembers, steps] = await Promise.all([
    db.reward.findMany({ where: { shopDomain, enabled: true }, select: { title: true, kind: true, costPoints: true, amountMinor: true } }),
    db.member.findMany({
      where: { shopDomain, id: { in: referrers.map((referrer) => number(referrer.memberId)) } },
      select: { id: true, customerId: true, firstName: true, lastName: true, email: true },
    }),
    db.setupStep.findMany({ where: { shopDomain } }),
  ]);
  const amountRewards = rewards
    .filter((reward) => ["fixed_amount", "store_credit", "variable"].includes(reward.kind) && reward.amountMinor !== null)
    .map((reward) => ({ title: reward.title, costPoints: reward.costPoints, amountMinor: reward.amountMinor! }));
  const value = pointValue(amountRewards);
  const outstanding = number(members.outstanding);
  // Amounts in the shop currency's minor units; an order kept at a finer exponent is rescaled.
  let orderCount = 0;
  let orderAmount = 0;
  for (const group of amounts) {
    orderCount += number(group.orders);
    orderAmount += number(group.amount) / 10 ** (number(group.exponent) - exponent);
  }
  const done = new Map(steps.map((step) => [step.step, step.doneAt.toISOString()]));
  const checks: Record<SetupStepName, string | null> = {
    app_embed: done.get("app_embed") ?? null,
    earning_rate: done.get("earning_rate") ?? null,
    // A shop starts with one reward: a second one is a reward the merchant added.
    reward: done.get("reward") ?? (rewards.length > 1 ? "found" : null),
  };

  return {
    period,
    since: range.since.toISOString(),
    currency: shop.currency,
    exponent,
    program: { name: shop.program.name, enabled: shop.program.enabled, earning: shop.program.earning, defaultEarning: sameEarning(shop.program.earning) },
    members: { total: number(members.total), joined: number(joined.joined) },
    points: { ...flow, outstanding },
    redemptionRate: percent(flow.redeemed, flow.issued),
    liability: value && {
      minor: Math.round(outstanding * value.minorPerPoint),
      reward: { title: value.reward.title, costPoints: value.reward.costPoints, amountMinor: value.reward.amountMinor },
    },
    memberOrders: {
      orders: orderCount,
      buyers: number(buyers.buyers),
      repeatRate: percent(number(buyers.repeaters), number(buyers.buyers)),
      averageMinor: orderCount > 0 ? Math.round(orderAmount / orderCount) : null,
    },
    topReferrers: referrers.map((referrer) => {
      const member = referrerMembers.find((candidate) => candidate.id === number(referrer.memberId));
      return {
        memberId: number(referrer.memberId),
        name: member ? memberName(member) : "",
        referrals: number(referrer.referrals),
        points: number(referrer.points),
      };
    }),
    series: pointsSeries(range, sums),
    checklist: SETUP_STEPS.map((step) => ({ step, doneAt: checks[step] })),
  };
}

export type Dashboard = Awaited<ReturnType<typeof dashboard>>;

function sameEarning(earning: { points: number; perMajorUnits: number }): boolean {
  return earning.points === DEFAULT_PROGRAM.earning.points && earning.perMajorUnits === DEFAULT_PROGRAM.earning.perMajorUnits;
}

function memberName(member: { customerId: bigint; firstName: string | null; lastName: string | null; email: string | null }): string {
  const name = [member.firstName, member.lastName].filter(Boolean).join(" ");
  return name || member.email || `#${member.customerId}`;
}

export { appEmbedDeepLink };

/** Ticks a checklist step (again: keeps the first time). */
export async function completeSetupStep(db: Db, shopDomain: string, step: SetupStepName): Promise<void> {
  await inTransaction(db, async (tx) => {
    await ensureShop(tx, shopDomain);
    await tx.setupStep.upsert({ where: { shopDomain_step: { shopDomain, step } }, create: { shopDomain, step }, update: {} });
  });
}

export async function reopenSetupStep(db: Db, shopDomain: string, step: SetupStepName): Promise<void> {
  await db.setupStep.deleteMany({ where: { shopDomain, step } });
}

/**
 * Turns the program on or off: a program version like any save (program-versions.server.ts), so
 * the storefront's copy is rewritten and every worker's cache sees it at once.
 */
export async function setProgramEnabled(db: Db, shopDomain: string, enabled: boolean): Promise<void> {
  // A settings save racing this one is not overwritten: the switch is applied to it again.
  for (let attempt = 0; ; attempt++) {
    try {
      await commitProgramChange(db, shopDomain, { change: "program", actor: "admin" }, async (_tx, program) => ({ program: { ...program, enabled }, result: null }));
      break;
    } catch (error) {
      if (!(error instanceof StaleProgramError) || attempt === 4) throw error;
    }
  }
  forgetShop(shopDomain);
}
