// One Prisma client for the database DATABASE_URL names (app/database-url.ts). Both databases
// have a generated client with the same models; the SQLite one's types stand for both.
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../prisma/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "../prisma/generated/postgres/client";
import type { DatabaseTarget } from "./database-url";
import { runtimeEnv } from "./runtime-env.server";

export type Db = SqliteClient;
export type { Prisma } from "../prisma/generated/sqlite/client";

const sqliteClients = new WeakSet<Db>();

/** Whether `db` is a SQLite client (the two share one type). */
export function isSqlite(db: Db): boolean {
  return sqliteClients.has(db);
}

/** How long a SQLite writer waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function createDb(target: DatabaseTarget = runtimeEnv.database): Db {
  if (target.provider === "sqlite") {
    if (target.filePath !== ":memory:") {
      mkdirSync(path.dirname(target.filePath), { recursive: true });
      enableWriteAheadLog(target.filePath);
    }
    const client = new SqliteClient({
      adapter: new PrismaBetterSQLite3({ url: target.filePath, timeout: SQLITE_BUSY_TIMEOUT_MS }),
    });
    sqliteClients.add(client);
    return client;
  }
  const client = new PostgresClient({
    adapter: new PrismaPg({ connectionString: target.url, max: runtimeEnv.poolSize }),
  });
  return client as unknown as Db;
}

// WAL lets the server, the demo and scripts read while one of them writes. It is a property of
// the file, so one connection setting it is enough for every later one.
export function enableWriteAheadLog(filePath: string): void {
  const db = new Database(filePath, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}

declare global {
  var tallyDb: Db | undefined;
}

// Kept on globalThis so that development reloads reuse one connection pool.
const db: Db = globalThis.tallyDb ?? createDb();
if (process.env.NODE_ENV !== "production") globalThis.tallyDb = db;

export default db;
