// The floor to compare the webhook path with: what the database alone costs for the writes an
// order must make at least, one ledger row plus a member balance increment in one transaction,
// back to back from one client, through the same driver connection the app's ledger uses
// (app/sql.server.ts). No HTTP, no HMAC, no JSON, no snapshot or lookups. It writes to a shop of
// its own, so the webhook shop's ledger stays exactly what the deliveries produced.
import { performance } from "node:perf_hooks";
import { ownCpuMs } from "./cpu";
import { databaseTarget } from "../../app/database-url";
import { closeSqlConnection, createSqlConnection, type SqlConnection } from "../../app/sql.server";
import type { Db } from "./database";
import { perSecond, summarizeLatencies, type LatencySummary } from "./stats";

export const BASELINE_SHOP = "tally-bench-baseline.myshopify.com";
const WARM_UP_TRANSACTIONS = 50;

export interface BaselineResult {
  transactions: number;
  wallMs: number;
  txPerSecond: number;
  /** CPU this (client) process spent per transaction: the driver's share, without HTTP. */
  cpuMsPerTx: number;
  latency: LatencySummary;
}

const INSERT_LEDGER_ROW = `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
  VALUES (?, ?, 42, 'earn', 'available', 'order', ?, 'bench:baseline', ?, ?)`;
const INCREMENT_BALANCE = `UPDATE "Member" SET "balance" = "balance" + 42, "lifetimeEarned" = "lifetimeEarned" + 42 WHERE "id" = ?`;

export async function bareInsertLoop(db: Db, url: string, transactions: number, memberCount: number): Promise<BaselineResult> {
  const memberIds = await createMembers(db, memberCount);
  const connection = createSqlConnection(databaseTarget(url));
  let sequence = 0;
  const insertOne = connection.provider === "sqlite" ? sqliteInsert(connection.database) : postgresInsert(connection.pool);
  const next = () => {
    const n = sequence++;
    return insertOne(memberIds[n % memberIds.length], n);
  };
  try {
    return await measure(next, transactions);
  } finally {
    await closeSqlConnection(connection);
  }
}

function sqliteInsert(database: Extract<SqlConnection, { provider: "sqlite" }>["database"]) {
  const ledger = database.prepare(INSERT_LEDGER_ROW);
  const balance = database.prepare(INCREMENT_BALANCE);
  const transaction = database.transaction((memberId: number, n: number) => {
    ledger.run(BASELINE_SHOP, memberId, String(n), `baseline:${n}`, new Date().toISOString().replace("Z", "+00:00"));
    balance.run(memberId);
  });
  return async (memberId: number, n: number) => transaction.immediate(memberId, n);
}

function postgresInsert(pool: Extract<SqlConnection, { provider: "postgresql" }>["pool"]) {
  let index = 0;
  const numbered = (sql: string) => sql.replace(/\?/g, () => `$${++index}`);
  const ledger = { name: "baseline_ledger", text: numbered(INSERT_LEDGER_ROW) };
  index = 0;
  const balance = { name: "baseline_balance", text: numbered(INCREMENT_BALANCE) };
  return async (memberId: number, n: number) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query({ ...ledger, values: [BASELINE_SHOP, memberId, String(n), `baseline:${n}`, new Date().toISOString().slice(0, -1)] });
      await client.query({ ...balance, values: [memberId] });
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  };
}

async function measure(insertOne: () => Promise<void>, transactions: number): Promise<BaselineResult> {
  for (let i = 0; i < WARM_UP_TRANSACTIONS; i++) await insertOne();
  const latenciesMs: number[] = [];
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  for (let i = 0; i < transactions; i++) {
    const before = performance.now();
    await insertOne();
    latenciesMs.push(performance.now() - before);
  }
  const wallMs = performance.now() - started;
  const cpuMsPerTx = (ownCpuMs() - cpuBefore) / transactions;
  return { transactions, wallMs, txPerSecond: perSecond(transactions, wallMs), cpuMsPerTx, latency: summarizeLatencies(latenciesMs) };
}

async function createMembers(db: Db, count: number): Promise<number[]> {
  // The program is never read: the app does not serve this shop.
  await db.shop.create({ data: { domain: BASELINE_SHOP, currency: "USD", program: "{}" } });
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const member = await db.member.create({
      data: { shopDomain: BASELINE_SHOP, customerId: BigInt(i + 1), referralCode: `BASELINE${i}` },
    });
    ids.push(member.id);
  }
  return ids;
}
