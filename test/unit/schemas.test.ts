import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { postgresSchemaFrom, POSTGRES_SCHEMA_PATH, SQLITE_SCHEMA_PATH } from "../../scripts/lib/postgres-schema";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), "utf8");

describe("Prisma schemas", () => {
  it("keeps the PostgreSQL schema generated from the SQLite one (run `npm run prisma:generate`)", () => {
    expect(read(POSTGRES_SCHEMA_PATH)).toBe(postgresSchemaFrom(read(SQLITE_SCHEMA_PATH)));
  });

  it("keeps the models provider-neutral", () => {
    const schema = read(SQLITE_SCHEMA_PATH);
    expect(schema).not.toMatch(/@db\./);
    expect(schema).not.toMatch(/^enum /m);
  });
});
