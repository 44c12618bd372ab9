// Authors a migration for both databases from the change to prisma/schema.prisma:
//   npm run migration:new -- <name>
// `prisma migrate dev` needs a shadow database the driver adapters don't provide, so the SQL
// comes from `prisma migrate diff` between the schema as of the last migration (taken from the
// git commit that last touched prisma/migrations) and the current one.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { postgresSchemaFrom, POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH } from "./lib/postgres-schema";
import { prismaCli } from "./lib/prisma-cli";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- <snake_case_name>");
  process.exit(2);
}

const hasMigrations = existsSync("prisma/migrations") && readdirSync("prisma/migrations").some((d) => /^\d+_/.test(d));
let fromSqlite: string | undefined;
if (hasMigrations) {
  const commit = execFileSync("git", ["log", "-1", "--format=%H", "--", "prisma/migrations"], { encoding: "utf8" }).trim();
  const previous = execFileSync("git", ["show", `${commit}:${SQLITE_SCHEMA_PATH}`], { encoding: "utf8" });
  const dir = mkdtempSync(path.join(tmpdir(), "tally-migration-"));
  fromSqlite = path.join(dir, "schema.prisma");
  writeFileSync(fromSqlite, previous);
  writeFileSync(path.join(dir, "postgres.prisma"), postgresSchemaFrom(previous));
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
for (const [schema, folder, from] of [
  [SQLITE_SCHEMA_PATH, "prisma/migrations", fromSqlite],
  [POSTGRES_SCHEMA_PATH, "prisma/postgres/migrations", fromSqlite && path.join(path.dirname(fromSqlite), "postgres.prisma")],
] as const) {
  const fromArgs = from ? ["--from-schema-datamodel", from] : ["--from-empty"];
  const sql = execFileSync(
    process.execPath,
    [prismaCli, "migrate", "diff", ...fromArgs, "--to-schema-datamodel", schema, "--script"],
    { encoding: "utf8" },
  );
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log(`${folder}: no change`);
    continue;
  }
  const dir = path.join(folder, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), sql);
  if (!existsSync(path.join(folder, "migration_lock.toml"))) {
    const provider = folder.includes("postgres") ? "postgresql" : "sqlite";
    writeFileSync(path.join(folder, "migration_lock.toml"), `provider = "${provider}"\n`);
  }
  console.log(`wrote ${dir}/migration.sql`);
}
