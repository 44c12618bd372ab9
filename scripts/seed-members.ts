// `npm run seed:members [-- --shop <domain>] [--members 100000] [--ledger-rows 1000000] [--replace]`:
// fills the database DATABASE_URL names with a large shop for the admin's benchmarks and manual
// trials: members with names and emails (some accented), three tiers, and ledger rows of the
// kinds that need no order or redemption rows (imports, manual adjustments, signup, birthday and
// referral bonuses) spread over two years. Balances, lifetime points, tiers and last activity are
// written from the generated rows, so `npm run verify` agrees. Bulk statements in one transaction
// per chunk: ~1 minute for 100,000 members and 1,000,000 rows on a 2-core machine.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { createDb, type Db } from "../app/db.server";
import { databaseTarget } from "../app/database-url";
import { searchKey } from "../app/loyalty/member-search";
import { ensureShop } from "../app/loyalty/shops.server";
import { closeSqlConnection, createSqlConnection, type SqlConnection } from "../app/sql.server";

export interface SeedOptions {
  shop: string;
  members: number;
  ledgerRows: number;
  /** Delete the shop's members (and their ledger) first; otherwise a shop with members is refused. */
  replace?: boolean;
  /** Customer ids are `firstCustomerId + i`. */
  firstCustomerId?: bigint;
  /** Deterministic data for a given seed. */
  seed?: number;
}

export interface SeedResult {
  members: number;
  ledgerRows: number;
  ms: number;
}

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Élodie", "José", "Zoë", "Margaret", "Linus", "Søren", "Hedy", "Katherine", "Tim", "Barbara", "Dennis", "Frances", "Ken"];
const LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dupont", "García", "Müller", "Hamilton", "Torvalds", "Kierkegaard", "Lamarr", "Johnson", "Berners-Lee", "Liskov", "Ritchie", "Allen", "Thompson"];
export const SEED_TIERS = [
  { name: "Silver", thresholdPoints: 500, multiplierPercent: 100 },
  { name: "Gold", thresholdPoints: 2000, multiplierPercent: 125 },
  { name: "Platinum", thresholdPoints: 5000, multiplierPercent: 150 },
];
const KINDS = [
  { kind: "signup", sourceType: "signup", actor: "webhook:customers/create" },
  { kind: "birthday", sourceType: "birthday", actor: "job:birthday-bonuses" },
  { kind: "referral", sourceType: "referral", actor: "webhook:orders/paid" },
  { kind: "manual_adjust", sourceType: "manual", actor: "staff:12345" },
];
const DAY_MS = 86_400_000;
const MEMBERS_PER_CHUNK = 2000;

/** A small fast PRNG (mulberry32): the same seed gives the same shop. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Stored as Prisma stores them: ISO text with an offset in SQLite, UTC timestamp in PostgreSQL.
const sqliteTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

export async function seedMembers(db: Db, connection: SqlConnection, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const { shop } = options;
  if (!Number.isInteger(options.members) || options.members < 1) throw new Error("--members must be a whole number of at least 1");
  if (!Number.isInteger(options.ledgerRows) || options.ledgerRows < options.members) throw new Error("--ledger-rows must be a whole number, at least one per member");
  await db.$transaction((tx) => ensureShop(tx, shop));
  const existing = await db.member.count({ where: { shopDomain: shop } });
  if (existing > 0) {
    if (!options.replace) throw new Error(`${shop} already has ${existing} members (--replace deletes them first)`);
    await db.member.deleteMany({ where: { shopDomain: shop } });
  }
  if ((await db.tier.count({ where: { shopDomain: shop } })) === 0) {
    await db.tier.createMany({ data: SEED_TIERS.map((tier) => ({ shopDomain: shop, ...tier })) });
  }
  const tiers = (await db.tier.findMany({ where: { shopDomain: shop }, orderBy: { thresholdPoints: "desc" } })).map((tier) => ({ id: tier.id, threshold: tier.thresholdPoints }));

  const next = random(options.seed ?? 1);
  const firstCustomerId = options.firstCustomerId ?? 8_000_000_000_000n;
  const now = Date.now();
  const span = 730 * DAY_MS;
  // Rows per member: the total spread so that every member has at least one.
  const extra = options.ledgerRows - options.members;
  let rowsLeft = options.ledgerRows;
  let written = 0;

  for (let start = 0; start < options.members; start += MEMBERS_PER_CHUNK) {
    const count = Math.min(MEMBERS_PER_CHUNK, options.members - start);
    const members: unknown[][] = [];
    const ledger: { member: number; rows: unknown[][] }[] = [];
    for (let i = start; i < start + count; i++) {
      const isLast = i === options.members - 1;
      const share = isLast ? rowsLeft : Math.min(rowsLeft - (options.members - i - 1), 1 + Math.floor(next() * 2 * (extra / options.members) + 0.5));
      rowsLeft -= share;
      const first = FIRST_NAMES[Math.floor(next() * FIRST_NAMES.length)];
      const last = LAST_NAMES[Math.floor(next() * LAST_NAMES.length)];
      const email = `${searchKey(first)}.${searchKey(last)?.replace(/[^a-z]/g, "")}.${i}@example.com`;
      const joined = now - span + Math.floor(next() * span * 0.5);
      let at = joined;
      let balance = 0;
      let earned = 0;
      const rows: unknown[][] = [];
      for (let n = 0; n < share; n++) {
        at += Math.floor(next() * ((now - at) / Math.max(1, share - n)));
        // The first row brings a balance over from another program; later ones are bonuses and
        // adjustments, a deduction never taking the balance below zero.
        const first_ = n === 0;
        const type = first_ ? { kind: "import", sourceType: "import", actor: "staff:12345" } : KINDS[Math.floor(next() * KINDS.length)];
        let delta = first_ ? 50 + Math.floor(next() * 3000) : 10 + Math.floor(next() * 490);
        if (type.kind === "manual_adjust" && next() < 0.3) delta = -Math.min(balance, delta);
        if (delta === 0) delta = 1;
        balance += delta;
        if (type.kind !== "manual_adjust" && type.kind !== "import") earned += delta;
        rows.push([delta, type.kind, type.sourceType, `seed-${i}-${n}`, type.actor, type.kind === "manual_adjust" ? "Seeded adjustment" : null, `seed:${i}:${n}`, at]);
      }
      const tierId = tiers.find((tier) => earned >= tier.threshold)?.id ?? null;
      members.push([
        shop,
        firstCustomerId + BigInt(i),
        email,
        first,
        last,
        searchKey(email),
        searchKey(first),
        searchKey(last),
        balance,
        earned,
        tierId,
        `SEED${i.toString(36).toUpperCase().padStart(6, "0")}`,
        at,
        joined,
      ]);
      ledger.push({ member: i - start, rows });
    }
    written += await insertChunk(connection, shop, members, ledger);
  }
  return { members: options.members, ledgerRows: written, ms: Math.round(performance.now() - started) };
}

const MEMBER_COLUMNS = ["shopDomain", "customerId", "email", "firstName", "lastName", "emailKey", "firstNameKey", "lastNameKey", "balance", "lifetimeEarned", "tierId", "referralCode", "lastActivityMs", "createdAt", "updatedAt"];
const LEDGER_COLUMNS = ["shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt"];
const quoted = (columns: string[]) => columns.map((column) => `"${column}"`).join(", ");

/** One chunk of members and their ledger rows, in one transaction; returns the rows written. */
async function insertChunk(connection: SqlConnection, shop: string, members: unknown[][], ledger: { member: number; rows: unknown[][] }[]): Promise<number> {
  if (connection.provider === "sqlite") {
    const database = connection.database;
    const insertMember = database.prepare(`INSERT INTO "Member" (${quoted(MEMBER_COLUMNS)}) VALUES (${MEMBER_COLUMNS.map(() => "?").join(", ")}) RETURNING "id"`);
    const insertEntry = database.prepare(`INSERT INTO "LedgerEntry" (${quoted(LEDGER_COLUMNS)}) VALUES (${LEDGER_COLUMNS.map(() => "?").join(", ")})`);
    let rows = 0;
    database.transaction(() => {
      members.forEach((member, index) => {
        const joined = member[13] as number;
        const { id } = insertMember.get(...member.slice(0, 13), sqliteTime(joined), sqliteTime(joined)) as { id: number };
        for (const [delta, kind, sourceType, sourceId, actor, note, key, at] of ledger[index].rows) {
          insertEntry.run(shop, id, delta, kind, "available", sourceType, sourceId, actor, note, key, sqliteTime(at as number));
          rows++;
        }
      });
    })();
    return rows;
  }
  // PostgreSQL: each table in one statement of parallel arrays (unnest), in one transaction.
  const client = await connection.pool.connect();
  try {
    await client.query("BEGIN");
    const column = (index: number) => members.map((member) => member[index]);
    const toTimestamp = (ms: unknown) => new Date(ms as number).toISOString().slice(0, -1);
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO "Member" (${quoted(MEMBER_COLUMNS)})
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::int[], $12::text[], $13::bigint[], $14::timestamp[], $14::timestamp[])
       RETURNING "id"`,
      [
        column(0),
        column(1).map(String),
        column(2),
        column(3),
        column(4),
        column(5),
        column(6),
        column(7),
        column(8),
        column(9),
        column(10),
        column(11),
        column(12),
        column(13).map(toTimestamp),
      ],
    );
    // RETURNING gives the rows in the order unnest produced them.
    const ids = inserted.rows.map((row) => Number(row.id));
    const entries = ledger.flatMap(({ member, rows }) => rows.map((row) => [ids[member], ...row]));
    const field = (index: number) => entries.map((entry) => entry[index]);
    await client.query(
      `INSERT INTO "LedgerEntry" (${quoted(LEDGER_COLUMNS)})
       SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamp[])`,
      [
        shop,
        field(0),
        field(1),
        field(2),
        entries.map(() => "available"),
        field(3),
        field(4),
        field(5),
        field(6),
        field(7),
        field(8).map(toTimestamp),
      ],
    );
    await client.query("COMMIT");
    return entries.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      shop: { type: "string", default: "seeded-shop.myshopify.com" },
      members: { type: "string", default: "100000" },
      "ledger-rows": { type: "string", default: "1000000" },
      replace: { type: "boolean", default: false },
    },
  });
  const url = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
  const db = createDb(databaseTarget(url));
  const connection = createSqlConnection(databaseTarget(url));
  try {
    const result = await seedMembers(db, connection, { shop: values.shop, members: Number(values.members), ledgerRows: Number(values["ledger-rows"]), replace: values.replace });
    console.log(`seeded ${values.shop}: ${result.members} members, ${result.ledgerRows} ledger rows in ${(result.ms / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`seed:members failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await closeSqlConnection(connection);
    await db.$disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
