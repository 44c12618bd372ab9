// Each database's migrations must build exactly the database the schema describes, and the
// real `npm run setup` (prisma migrate deploy through the driver adapter) must apply them.
import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { databaseTarget } from "~/database-url";
import { prismaCli } from "../../scripts/lib/prisma-cli";
import { POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH } from "../../scripts/lib/postgres-schema";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { createTestDatabase, type Provider } from "../../dev/simulator/databases";

const provider = (process.env.TEST_DATABASE ?? "sqlite") as Provider;

/** Tables, columns (type, nullability, default) and indexes, in a comparable form. */
async function catalog(url: string): Promise<string[]> {
  const target = databaseTarget(url);
  if (target.provider === "sqlite") {
    const db = new Database(target.filePath, { readonly: true });
    const rows: string[] = [];
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as { name: string }[];
    for (const { name } of tables) {
      for (const column of db.pragma(`table_info("${name}")`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[]) {
        rows.push(`${name}.${column.name} ${column.type} notnull=${column.notnull} default=${column.dflt_value} pk=${column.pk}`);
      }
      for (const index of db.pragma(`index_list("${name}")`) as { name: string; unique: number }[]) {
        const columns = (db.pragma(`index_info("${index.name}")`) as { name: string }[]).map((c) => c.name).join(",");
        rows.push(`${name} index ${index.name} unique=${index.unique} (${columns})`);
      }
      for (const key of db.pragma(`foreign_key_list("${name}")`) as { table: string; from: string; to: string; on_delete: string }[]) {
        rows.push(`${name} fk ${key.from} → ${key.table}.${key.to} on delete ${key.on_delete}`);
      }
    }
    db.close();
    return rows.sort();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = await client.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  const indexes = await client.query(`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
  const keys = await client.query(
    `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
  );
  await client.end();
  return [
    ...columns.rows.map((r) => `${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable} default=${r.column_default}`),
    ...indexes.rows.map((r) => `${r.tablename} ${r.indexdef}`),
    ...keys.rows.map((r) => `${r.tbl} ${r.def}`),
  ].sort();
}

function prisma(args: string[], env: Record<string, string>): string {
  return execFileSync(process.execPath, [prismaCli, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe(`migrations (${provider})`, () => {
  it("build the same database as the schema", async () => {
    const fromMigrations = await createTestDatabase(provider);
    const fromSchema = await createTestDatabase(provider, { migrate: false });
    try {
      const schema = path.join(PROJECT_ROOT, provider === "sqlite" ? SQLITE_SCHEMA_PATH : POSTGRES_SCHEMA_PATH);
      const sql = prisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"], {});
      if (provider === "sqlite") {
        const db = new Database(fromSchema.url.slice("file:".length));
        db.exec(sql);
        db.close();
      } else {
        const client = new pg.Client({ connectionString: fromSchema.url });
        await client.connect();
        await client.query(sql);
        await client.end();
      }
      const expected = await catalog(fromSchema.url);
      expect(expected.length).toBeGreaterThan(50);
      expect(await catalog(fromMigrations.url)).toEqual(expected);
    } finally {
      await fromMigrations.drop();
      await fromSchema.drop();
    }
  });

  it("are applied by `npm run setup` (prisma migrate deploy), idempotently", async () => {
    const database = await createTestDatabase(provider, { migrate: false });
    try {
      const run = () =>
        execFileSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/setup-database.ts"], {
          cwd: PROJECT_ROOT,
          env: { ...process.env, DATABASE_URL: database.url },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      expect(run()).toMatch(/Database ready/);
      expect(run()).toMatch(/No pending migrations|Database ready/);
      expect((await catalog(database.url)).some((row) => row.startsWith("LedgerEntry.idempotencyKey"))).toBe(true);
    } finally {
      await database.drop();
    }
    // Two runs of the Prisma CLI, each applying every migration on PostgreSQL: ~15 s apiece on a busy 2-core machine.
  }, 120_000);
});
