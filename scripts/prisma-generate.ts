// Writes the PostgreSQL schema from the SQLite one and generates both Prisma clients.
// Runs on `npm install` (postinstall), so a fresh clone has both clients.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH, postgresSchemaFrom } from "./lib/postgres-schema";
import { prismaCli } from "./lib/prisma-cli";

mkdirSync("prisma/postgres", { recursive: true });
writeFileSync(POSTGRES_SCHEMA_PATH, postgresSchemaFrom(readFileSync(SQLITE_SCHEMA_PATH, "utf8")));

for (const schema of [SQLITE_SCHEMA_PATH, POSTGRES_SCHEMA_PATH]) {
  execFileSync(process.execPath, [prismaCli, "generate", "--schema", schema], { stdio: "inherit" });
}
