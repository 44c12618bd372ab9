// The admin's Home reads points from the ledger's day sums (LedgerDaySum) for the days that are
// over and from the ledger after them: on a random ledger over more than a year, every period's
// figures and chart equal the sums computed naively from every row, before the `ledger-days`
// job has run, after it, with rows written since, and after it runs again.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { DASHBOARD_PERIODS, periodRange, pointsFlow, pointsSeries } from "~/loyalty/dashboard";
import { dashboard } from "~/loyalty/dashboard.server";
import { ensureShop } from "~/loyalty/shops.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { sql } from "~/sql.server";
import { LEDGER_DAYS } from "~/jobs/ledger-days-jobs.server";
import { testJobRunner } from "../support/jobs";

const SHOP = "dashboard-day-sums.myshopify.com";
const OTHER = "dashboard-day-sums-other.myshopify.com";
const KINDS = ["earn", "refund_reversal", "order_edit", "order_move", "redeem", "redeem_refund", "manual_adjust", "import", "expiry", "referral"];
const DAY_MS = 86_400_000;

/** A small deterministic generator (mulberry32): the same ledger on every run and database. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let rowNumber = 0;
async function writeRows(shop: string, memberIds: number[], count: number, next: () => number, maxAgeMs: number) {
  const now = Date.now();
  await db.ledgerEntry.createMany({
    data: Array.from({ length: count }, () => {
      const n = rowNumber++;
      return {
        shopDomain: shop,
        memberId: memberIds[Math.floor(next() * memberIds.length)],
        delta: BigInt(Math.floor(next() * 2001) - 700),
        kind: KINDS[Math.floor(next() * KINDS.length)],
        sourceType: "manual",
        sourceId: String(n),
        actor: "test",
        idempotencyKey: `test:${n}`,
        createdAt: new Date(now - Math.floor(next() * maxAgeMs)),
      };
    }),
  });
}

/** Every period's points and chart, summed in JavaScript from every ledger row of the shop. */
async function naive(shop: string, now: Date) {
  const entries = await db.ledgerEntry.findMany({ where: { shopDomain: shop }, select: { delta: true, kind: true, createdAt: true } });
  return Object.fromEntries(
    DASHBOARD_PERIODS.map((period) => {
      const range = periodRange(period, now);
      const sums = entries
        .filter((entry) => entry.createdAt >= range.since)
        .map((entry) => ({ bucket: entry.createdAt.toISOString().slice(0, range.bucket === "day" ? 10 : 7), kind: entry.kind, points: Number(entry.delta) }));
      const flow = pointsFlow(sums);
      return [period, { issued: flow.issued, redeemed: flow.redeemed, expired: flow.expired, series: pointsSeries(range, sums) }];
    }),
  );
}

async function figures(shop: string, now: Date) {
  const result: Record<string, unknown> = {};
  for (const period of DASHBOARD_PERIODS) {
    const home = await dashboard(db, sql(), shop, period, now);
    result[period] = { issued: home.points.issued, redeemed: home.points.redeemed, expired: home.points.expired, series: home.series };
  }
  return result;
}

describe("the Home's points from the ledger's day sums", () => {
  const next = random(20261130);
  let members: number[] = [];

  beforeAll(async () => {
    for (const shop of [SHOP, OTHER]) await inTransaction(db, (tx) => ensureShop(tx, shop));
    for (let i = 0; i < 6; i++) members.push((await db.member.create({ data: { shopDomain: SHOP, customerId: BigInt(7_100_000 + i), referralCode: `DDS${i}` } })).id);
    const otherMember = (await db.member.create({ data: { shopDomain: OTHER, customerId: 7_200_000n, referralCode: "DDSO" } })).id;
    // Over 400 days (the 12-month period starts inside it), and many in the last three days.
    await writeRows(SHOP, members, 1500, next, 400 * DAY_MS);
    await writeRows(SHOP, members, 300, next, 3 * DAY_MS);
    await writeRows(OTHER, [otherMember], 400, next, 400 * DAY_MS);
  });

  it("equal the naive sums before the job, after it, with rows written since, and after it again", async () => {
    const now = new Date();
    expect(await db.ledgerDaySum.count({ where: { shopDomain: SHOP } })).toBe(0);
    const expected = await naive(SHOP, now);
    expect(await figures(SHOP, now), "before the job").toEqual(expected);

    const runner = testJobRunner(db);
    expect(await runner.runNow({ key: LEDGER_DAYS.key, name: LEDGER_DAYS.name })).toBe("ran");
    const summed = await db.ledgerDaySum.findMany({ where: { shopDomain: SHOP } });
    expect(summed.length).toBeGreaterThan(100);
    // Through the day before yesterday (UTC): later days are read from the ledger.
    const dayBeforeYesterday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 2 * DAY_MS).toISOString().slice(0, 10);
    expect(summed.every((sum) => sum.day <= dayBeforeYesterday)).toBe(true);
    expect(await figures(SHOP, now), "after the job").toEqual(expected);
    // Each shop its own sums.
    expect(await figures(OTHER, now)).toEqual(await naive(OTHER, now));

    // Rows written since, dated as the ledger dates them (when written: yesterday or today, days
    // not summed yet), are read from the ledger.
    members = members.slice(0, 3);
    const startOfYesterday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS;
    await writeRows(SHOP, members, 40, next, Date.now() - startOfYesterday);
    const later = new Date();
    expect(await figures(SHOP, later), "rows written since").toEqual(await naive(SHOP, later));

    // Again: the same sums, nothing counted twice.
    expect(await runner.runNow({ key: LEDGER_DAYS.key, name: LEDGER_DAYS.name })).toBe("ran");
    expect(await db.ledgerDaySum.count({ where: { shopDomain: SHOP } })).toBe(summed.length);
    expect(await figures(SHOP, later)).toEqual(await naive(SHOP, later));
  });
});
