// Fresh, migrated databases for tests, benchmarks and the demo. Migrations are applied by
// running each migration.sql of that database's folder, in order, as `prisma migrate deploy`
// would (test/db/migrations.test.ts runs the real CLI too).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { PROJECT_ROOT } from "./app-config";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export type Provider = "sqlite" | "postgres";

export interface TestDatabase {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

export function migrationScripts(provider: Provider): string[] {
  return migrations(provider).map((migration) => migration.sql);
}

export function migrations(provider: Provider): { name: string; sql: string }[] {
  const folder = path.join(PROJECT_ROOT, provider === "sqlite" ? "prisma/migrations" : "prisma/postgres/migrations");
  return readdirSync(folder)
    .filter((name) => /^\d+_/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(folder, name, "migration.sql"), "utf8") }));
}

// Migrations applied here are recorded as `prisma migrate deploy` records them, so that the
// database looks deployed (GET /readyz checks _prisma_migrations; a later deploy skips them).
const MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgres: `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

function migrationRecord(migration: { name: string; sql: string }): [string, string, string] {
  return [randomUUID(), createHash("sha256").update(migration.sql).digest("hex"), migration.name];
}

export async function createTestDatabase(provider: Provider, { migrate = true } = {}): Promise<TestDatabase> {
  return provider === "sqlite" ? createSqlite(migrate) : createPostgres(migrate);
}

function createSqlite(migrate: boolean): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), "tally-test-"));
  const file = path.join(dir, "tally.sqlite");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  if (migrate) {
    db.exec(MIGRATIONS_TABLE.sqlite);
    const record = db.prepare(`INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "finished_at", "applied_steps_count") VALUES (?, ?, ?, current_timestamp, 1)`);
    for (const migration of migrations("sqlite")) {
      db.exec(migration.sql);
      record.run(...migrationRecord(migration));
    }
  }
  db.close();
  return { provider: "sqlite", url: `file:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function createPostgres(migrate: boolean): Promise<TestDatabase> {
  const name = `tally_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${(error as Error).message}). ` +
        "The database tests run on PostgreSQL too; start it or set TEST_POSTGRES_URL.",
    );
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  if (migrate) {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(MIGRATIONS_TABLE.postgres);
    for (const migration of migrations("postgres")) {
      await client.query(migration.sql);
      await client.query(`INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "finished_at", "applied_steps_count") VALUES ($1, $2, $3, now(), 1)`, migrationRecord(migration));
    }
    await client.end();
  }
  return {
    provider: "postgres",
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
