// A shop as large as a busy store's: `members` members, one ledger row and one order each,
// written straight into the database in a few set-based statements (seconds for 100,000).
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_PROGRAM } from "../../app/loyalty/program";
import type { TestDatabase } from "../../dev/simulator/databases";

// {shop}, {program} and {members} are bound by name on SQLite and by position on PostgreSQL.
const SEED = [
  `INSERT INTO "Shop" ("domain", "currency", "program", "updatedAt") VALUES ({shop}, 'USD', {program}, CURRENT_TIMESTAMP)`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {members})
   INSERT INTO "Member" ("shopDomain", "customerId", "referralCode", "balance", "lifetimeEarned", "updatedAt")
   SELECT {shop}, 8800000000000 + i, 'S' || CAST(i AS TEXT), 25, 25, CURRENT_TIMESTAMP FROM n`,
  `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey")
   SELECT "shopDomain", "id", 25, 'earn', 'available', 'order', CAST("customerId" AS TEXT), 'seed', 'order:' || CAST("customerId" AS TEXT) || ':earn'
   FROM "Member" WHERE "shopDomain" = {shop}`,
  `INSERT INTO "OrderSnapshot" ("shopDomain", "orderId", "customerId", "currency", "paidAt", "eligibleMinor", "pointsCredited", "updatedAt")
   SELECT "shopDomain", "customerId", "customerId", 'USD', CURRENT_TIMESTAMP, 2500, 25, CURRENT_TIMESTAMP FROM "Member" WHERE "shopDomain" = {shop}`,
];

export async function seedLargeShop(database: TestDatabase, shop: string, members: number): Promise<void> {
  const values: Record<string, string | number> = { shop, program: JSON.stringify(DEFAULT_PROGRAM), members };
  if (database.provider === "sqlite") {
    const sqlite = new Database(database.url.slice("file:".length));
    try {
      sqlite.transaction(() => {
        for (const sql of SEED) {
          const names = [...new Set([...sql.matchAll(/\{(\w+)\}/g)].map((match) => match[1]))];
          sqlite.prepare(sql.replace(/\{(\w+)\}/g, "@$1")).run(Object.fromEntries(names.map((name) => [name, values[name]])));
        }
      })();
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query("BEGIN");
    for (const sql of SEED) {
      const names: string[] = [];
      const text = sql.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (!names.includes(name)) names.push(name);
        return `$${names.indexOf(name) + 1}::${name === "members" ? "int" : "text"}`;
      });
      await client.query(text, names.map((name) => values[name]));
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}
