// The ledger summed by UTC day and kind (LedgerDaySum), for the admin's Home: a period's figures
// read these sums for the days that are over and the ledger itself only after the last day
// summed, so a year costs a few hundred rows instead of a million (bench/dashboard.ts).
//
// A day is summed once it is over with a day to spare (through the day before yesterday, UTC): a
// ledger row is dated when it is written, so a day that old gets no more rows, and the margin
// covers a transaction that began before midnight. Summing is a job (hourly, and idempotent: a
// day summed again is written with the same figures), never work on the ledger's write path,
// which the webhooks' throughput depends on. Rows deleted later (a customer's redaction) stay
// in the day's sums: they are totals without anyone's data, and the Home's history keeps them.
import { nothing, row, rows, runSqlReads, runSqlTransaction, type Row, type SqlTransaction } from "~/sql-transaction.server";
import type { SqlConnection } from "~/sql.server";

const DAY_MS = 86_400_000;
/** Day sums written per statement batch. */
const WRITE_BATCH = 500;

/** The last day summed for the shop ("YYYY-MM-DD"), or null when none is. */
export async function lastSummedDay(connection: SqlConnection, shopDomain: string): Promise<string | null> {
  const [last] = (await runSqlReads(connection, [row(`SELECT MAX("day") AS "day" FROM "LedgerDaySum" WHERE "shopDomain" = ?`, [shopDomain])])) as [Row | undefined];
  return typeof last?.day === "string" ? last.day : null;
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * Sums the shop's ledger by day and kind for the days after the last one summed, through the day
 * before yesterday (UTC): the days it read ([from, until); from null: from the first row) and the
 * sums it wrote. The sums are read outside any transaction (no write lock while the ledger is
 * read), then written in short transactions.
 */
export async function sumLedgerDays(connection: SqlConnection, shopDomain: string, now = new Date()): Promise<{ from: string | null; until: string; rows: number }> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const until = new Date(today - DAY_MS).toISOString().slice(0, 10);
  const last = await lastSummedDay(connection, shopDomain);
  const from = last ? nextDay(last) : null;
  if (from !== null && from >= until) return { from, until, rows: 0 };
  const postgres = connection.provider === "postgresql";
  const day = postgres ? `to_char("createdAt", 'YYYY-MM-DD')` : `substr("createdAt", 1, 10)`;
  // Both databases keep UTC; SQLite's timestamps are ISO text that compares right against a date.
  const bound = (value: string) => (postgres ? new Date(`${value}T00:00:00Z`) : value);
  const [sums] = (await runSqlReads(connection, [
    rows(
      `SELECT ${day} AS "day", "kind", SUM("delta") AS "points" FROM "LedgerEntry"
       WHERE "shopDomain" = ? AND "createdAt" < ?${from === null ? "" : ` AND "createdAt" >= ?`}
       GROUP BY ${day}, "kind"`,
      from === null ? [shopDomain, bound(until)] : [shopDomain, bound(until), bound(from)],
    ),
  ])) as [Row[]];
  for (let i = 0; i < sums.length; i += WRITE_BATCH) {
    const batch = sums.slice(i, i + WRITE_BATCH);
    await runSqlTransaction(connection, writeSums(shopDomain, batch));
  }
  return { from, until, rows: sums.length };
}

// Written again with the same figures when a run is repeated (idempotent).
function* writeSums(shopDomain: string, sums: Row[]): SqlTransaction<void> {
  yield sums.map((sum) =>
    nothing(
      `INSERT INTO "LedgerDaySum" ("shopDomain", "day", "kind", "points") VALUES (?, ?, ?, ?)
       ON CONFLICT ("shopDomain", "day", "kind") DO UPDATE SET "points" = excluded."points"`,
      [shopDomain, String(sum.day), String(sum.kind), String(sum.points)],
    ),
  );
}
