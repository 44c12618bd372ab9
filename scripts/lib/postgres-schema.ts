// The PostgreSQL schema is derived from the SQLite one (the source of truth): same models,
// another provider and client output. A test compares the checked-in file with this output.
export const POSTGRES_SCHEMA_PATH = "prisma/postgres/schema.prisma";
export const SQLITE_SCHEMA_PATH = "prisma/schema.prisma";

const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/prisma-generate.ts: do not edit.\n" +
  "// Change prisma/schema.prisma and run `npm run prisma:generate`.\n\n";

export function postgresSchemaFrom(sqliteSchema: string): string {
  const replaced = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\/generated\/sqlite"/, 'output     = "../generated/postgres"')
    // The default-location client exists once, from the SQLite schema.
    .replace(/(\/\/[^\n]*\n)*generator sessionStorageRuntime \{[^}]*\}\n\n/, "");
  if (!replaced.includes('"postgresql"') || !replaced.includes("../generated/postgres")) {
    throw new Error("prisma/schema.prisma no longer has the sqlite provider/output this script rewrites");
  }
  return HEADER + replaced;
}
