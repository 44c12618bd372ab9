// A plain driver connection beside Prisma, for the one hot path that Prisma makes too slow:
// crediting order webhooks (app/loyalty/ledger.server.ts). Prisma's query compiler costs
// about 1 ms of CPU per query here; the same statements through the driver cost microseconds.
// Everything else goes through Prisma (app/db.server.ts).
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseTarget } from "./database-url";
import { logger } from "./logger.server";
import { runtimeEnv } from "./runtime-env.server";

export type SqlConnection =
  | { provider: "sqlite"; database: Database.Database }
  | { provider: "postgresql"; pool: pg.Pool };

// Timestamps are stored as Prisma stores them: ISO text in SQLite, `timestamp(3)` (UTC, no zone)
// in PostgreSQL. Reading gives epoch milliseconds on both.
const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const postgresTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === TIMESTAMP_OID) return (value: string) => Date.parse(`${value.replace(" ", "T")}Z`);
    // Points and minor units are bounded far below 2^53 (app/loyalty/money.ts); Shopify's ids
    // are 64-bit and come back as bigint when a number would round them.
    if (oid === INT8_OID) return (value: string) => (value.length < 16 ? Number(value) : BigInt(value));
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function createSqlConnection(target: DatabaseTarget = runtimeEnv.database): SqlConnection {
  if (target.provider === "sqlite") {
    // No busy wait: a synchronous wait would block the event loop while Prisma's connection, in
    // this same process, holds the write lock. Busy transactions are retried asynchronously.
    const database = new Database(target.filePath, { timeout: 0 });
    database.pragma("foreign_keys = ON");
    return { provider: "sqlite", database };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: runtimeEnv.poolSize,
    types: postgresTypes,
    // Statements sent back to back share a round trip (the ledger sends them in batches).
    pipeline: true,
  } as pg.PoolConfig);
  // An idle connection the server closes (restart, failover) must not crash the process; the
  // pool opens a new one on next use.
  pool.on("error", (error) => logger.warn({ err: error }, "idle PostgreSQL connection closed"));
  return { provider: "postgresql", pool };
}

export async function closeSqlConnection(connection: SqlConnection): Promise<void> {
  if (connection.provider === "sqlite") connection.database.close();
  else await connection.pool.end();
}

declare global {
  var tallySql: SqlConnection | undefined;
}

let connection: SqlConnection | undefined;

/** The process's connection, opened on first use (development reloads reuse it). */
export function sql(): SqlConnection {
  connection ??= globalThis.tallySql ?? createSqlConnection();
  if (process.env.NODE_ENV !== "production") globalThis.tallySql = connection;
  return connection;
}
