// The audit behind `npm run verify` and the admin's "Verify balances": does every number Tally
// keeps agree with its append-only ledger? Each check is one set-based statement (an aggregate
// over the ledger joined to the rows it must agree with), never a query per member, so a shop of
// 100,000 members and 1,000,000 ledger rows is checked in seconds (bench/verify.ts).
//
// What must hold:
// 1. Balances: a member's balance is the sum of its available ledger rows, its pending balance
//    the sum of its pending rows.
// 2. Orders: the ledger rows of an order are those with sourceType 'order' and sourceId the order
//    (`order:<id>:earn`, `order:<id>:cancel`, `order:<id>:edit:<updated_at>`,
//    `order:<id>:move:<n>:out|in`, and their `:v<n>` re-keyings) and those with sourceType
//    'refund' whose refund (OrderRefund) belongs to the order (`refund:<id>`). Points move with
//    the order when its customer changes (a debit on the old holder, a credit on the new one), so
//    per order: the rows on the holder (OrderSnapshot.holderMemberId) sum to pointsCredited, the
//    rows on every other member sum to 0. Per member: the order and refund rows sum to the
//    pointsCredited of the orders it holds; this also covers rows whose order is gone
//    (customers/redact deletes the snapshots of the customer it redacts; another member's rows
//    for such an order sum to 0 when they are right).
// 3. Redemptions: `redemption:<id>:redeem` exists, on the redemption's member, with delta
//    -pointsSpent; `redemption:<id>:return` (+pointsSpent) exists exactly when the points came
//    back at some point: pointsReturned is true, or a `redemption:<id>:respend` row (-pointsSpent,
//    a code used after it was returned as expired) spent them again. After a respend,
//    pointsReturned is true exactly when `redemption:<id>:return:2` (+pointsSpent) gave them
//    back again (the order that used the code was cancelled). Every reward row names a
//    redemption that exists.
// 4. Idempotency keys: none is used twice in a shop (a unique index already says so; checked
//    anyway, because the audit trusts nothing it can count).
import type { Db } from "~/db.server";
import { runtimeEnv } from "~/runtime-env.server";

export interface VerifyOptions {
  /** Only this shop; every shop when absent. */
  shop?: string | null;
  /** How many mismatches of each kind are returned in detail. */
  detailLimit?: number;
}

export type MismatchKind = "balance" | "pending_balance" | "member_orders" | "order" | "redemption" | "orphan_reward_row" | "duplicate_key";

export interface Mismatch {
  kind: MismatchKind;
  shop: string;
  /** What is wrong, in one line a person can act on. */
  detail: string;
  memberId?: number;
  customerId?: string;
  orderId?: string;
  redemptionId?: number;
  expected?: number;
  actual?: number;
}

export interface VerifyReport {
  ok: boolean;
  checked: { shops: number; members: number; entries: number; orders: number; redemptions: number };
  /** Mismatches found, by check (all of them counted, not only those in `mismatches`). */
  counts: { members: number; orders: number; redemptions: number; duplicateKeys: number };
  /** The first mismatches of each check, in detail. */
  mismatches: Mismatch[];
  ms: number;
  /** Milliseconds per check. */
  timings: Record<string, number>;
}

const DEFAULT_DETAIL_LIMIT = 20;

export async function verifyLedger(db: Db, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const shop = options.shop ?? null;
  const limit = Math.max(1, options.detailLimit ?? DEFAULT_DETAIL_LIMIT);
  const timings: Record<string, number> = {};
  const postgres = runtimeEnv.database.provider === "postgresql";
  const run = async <T>(name: string, text: string) => {
    const at = performance.now();
    const rows = postgres ? await auditTransaction(db, (tx) => query<T>(tx, text, shop, limit)) : await query<T>(db, text, shop, limit);
    timings[name] = Math.round(performance.now() - at);
    return rows;
  };

  // One at a time: on SQLite they share one connection anyway, and on PostgreSQL the audit should
  // not take a pool's worth of connections from the server it runs beside.
  const checked = await counts(db, shop);
  const members = await run<MemberRow>("members", MEMBER_CHECK);
  const orders = await run<OrderRow>("orders", postgres ? ORDER_CHECK_POSTGRES : ORDER_CHECK_SQLITE);
  const redemptions = await run<RedemptionRow>("redemptions", REDEMPTION_CHECK);
  const orphans = await run<OrphanRow>("orphanRewardRows", ORPHAN_REWARD_ROWS);
  const duplicates = await run<DuplicateRow>("duplicateKeys", DUPLICATE_KEYS);

  const mismatches: Mismatch[] = [
    ...members.flatMap(memberMismatches),
    ...orders.map(orderMismatch),
    ...redemptions.map(redemptionMismatch),
    ...orphans.map(
      (row): Mismatch => ({
        kind: "orphan_reward_row",
        shop: row.shop,
        memberId: Number(row.member_id),
        detail: `ledger row ${row.key} (${Number(row.delta)}) names redemption ${row.source_id}, which does not exist`,
      }),
    ),
    ...duplicates.map(
      (row): Mismatch => ({ kind: "duplicate_key", shop: row.shop, detail: `idempotency key ${row.key} is used by ${Number(row.uses)} ledger rows` }),
    ),
  ];
  const total = (rows: { total_count: unknown }[]) => (rows.length === 0 ? 0 : Number(rows[0].total_count));
  const report: VerifyReport = {
    ok: false,
    checked,
    counts: {
      members: total(members),
      orders: total(orders),
      redemptions: total(redemptions) + total(orphans),
      duplicateKeys: total(duplicates),
    },
    mismatches,
    ms: Math.round(performance.now() - started),
    timings,
  };
  report.ok = Object.values(report.counts).every((count) => count === 0);
  return report;
}

// ---------------------------------------------------------------------------------------------
// The statements. `{shop:x}` stands for `AND x."shopDomain" = <the shop>` (nothing for every
// shop); `{limit}` for the detail limit. Every check counts all its rows (COUNT(*) OVER ()) and
// returns the first few. Sums are cast to BIGINT: PostgreSQL's SUM of bigint is numeric.

interface Counted {
  total_count: unknown;
}

interface MemberRow extends Counted {
  shop: string;
  member_id: unknown;
  customer_id: string;
  balance: unknown;
  pending_balance: unknown;
  available: unknown;
  pending: unknown;
  order_rows: unknown;
  held: unknown;
}

const MEMBER_CHECK = `
WITH ledger AS (
  SELECT l."memberId" AS member_id,
    CAST(SUM(CASE WHEN l."status" = 'available' THEN l."delta" ELSE 0 END) AS BIGINT) AS available,
    CAST(SUM(CASE WHEN l."status" = 'pending' THEN l."delta" ELSE 0 END) AS BIGINT) AS pending,
    CAST(SUM(CASE WHEN l."sourceType" IN ('order', 'refund') THEN l."delta" ELSE 0 END) AS BIGINT) AS order_rows
  FROM "LedgerEntry" l WHERE 1 = 1 {shop:l}
  GROUP BY l."memberId"
),
held AS (
  SELECT s."holderMemberId" AS member_id, CAST(SUM(s."pointsCredited") AS BIGINT) AS held
  FROM "OrderSnapshot" s WHERE s."holderMemberId" IS NOT NULL {shop:s}
  GROUP BY s."holderMemberId"
),
checked AS (
  SELECT m."shopDomain" AS shop, m."id" AS member_id, CAST(m."customerId" AS TEXT) AS customer_id,
    m."balance" AS balance, m."pendingBalance" AS pending_balance,
    COALESCE(ledger.available, 0) AS available, COALESCE(ledger.pending, 0) AS pending,
    COALESCE(ledger.order_rows, 0) AS order_rows, COALESCE(held.held, 0) AS held
  FROM "Member" m
  LEFT JOIN ledger ON ledger.member_id = m."id"
  LEFT JOIN held ON held.member_id = m."id"
  WHERE 1 = 1 {shop:m}
)
SELECT checked.*, COUNT(*) OVER () AS total_count FROM checked
WHERE balance <> available OR pending_balance <> pending OR order_rows <> held
ORDER BY shop, member_id
LIMIT {limit}`;

function memberMismatches(row: MemberRow): Mismatch[] {
  const base = { shop: row.shop, memberId: Number(row.member_id), customerId: row.customer_id };
  const found: Mismatch[] = [];
  const [balance, available] = [Number(row.balance), Number(row.available)];
  if (balance !== available) {
    found.push({ ...base, kind: "balance", expected: available, actual: balance, detail: `customer ${row.customer_id}: balance ${balance}, available ledger rows sum to ${available}` });
  }
  const [pendingBalance, pending] = [Number(row.pending_balance), Number(row.pending)];
  if (pendingBalance !== pending) {
    found.push({
      ...base,
      kind: "pending_balance",
      expected: pending,
      actual: pendingBalance,
      detail: `customer ${row.customer_id}: pending balance ${pendingBalance}, pending ledger rows sum to ${pending}`,
    });
  }
  const [orderRows, held] = [Number(row.order_rows), Number(row.held)];
  if (orderRows !== held) {
    found.push({
      ...base,
      kind: "member_orders",
      expected: held,
      actual: orderRows,
      detail: `customer ${row.customer_id}: order and refund rows sum to ${orderRows}, the orders they hold were credited ${held}`,
    });
  }
  return found;
}

interface OrderRow extends Counted {
  shop: string;
  order_id: string;
  member_id: unknown;
  expected: unknown;
  actual: unknown;
  problem: "holder" | "other";
}

// PostgreSQL: one grouping of the order and refund rows by (order, member): a member belongs to one shop, so
// the key needs no shop (integers only: hashed, never sorted by text) and the shop comes along.
// Then one FULL JOIN with the snapshots on (order, holder) gives every check a single pass: a
// snapshot with its holder's sum (credited?), and a member's sum that is not the holder's (0, when
// the order has a snapshot: looked up by its key only for those few nonzero sums).
const ORDER_CHECK_POSTGRES = `
WITH order_rows AS (
  SELECT l."shopDomain" AS shop, CAST(l."sourceId" AS BIGINT) AS order_id, l."memberId" AS member_id, l."delta" AS delta
  FROM "LedgerEntry" l WHERE l."sourceType" = 'order' {shop:l}
  UNION ALL
  SELECT l."shopDomain", r."orderId", l."memberId", l."delta"
  FROM "LedgerEntry" l
  JOIN "OrderRefund" r ON r."shopDomain" = l."shopDomain" AND r."refundId" = CAST(l."sourceId" AS BIGINT)
  WHERE l."sourceType" = 'refund' {shop:l}
),
per_member AS (
  SELECT MIN(shop) AS shop, order_id, member_id, CAST(SUM(delta) AS BIGINT) AS total FROM order_rows GROUP BY order_id, member_id
),
snapshots AS (
  SELECT s."shopDomain" AS shop, s."orderId" AS order_id, s."holderMemberId" AS holder, s."pointsCredited" AS credited
  FROM "OrderSnapshot" s WHERE 1 = 1 {shop:s}
),
mismatched AS (
  SELECT COALESCE(s.shop, p.shop) AS shop, CAST(COALESCE(s.order_id, p.order_id) AS TEXT) AS order_id,
    CASE WHEN s.order_id IS NULL THEN p.member_id ELSE s.holder END AS member_id,
    CASE WHEN s.order_id IS NULL THEN 0 ELSE s.credited END AS expected,
    COALESCE(p.total, 0) AS actual,
    CASE WHEN s.order_id IS NULL THEN 'other' ELSE 'holder' END AS problem
  FROM snapshots s
  FULL JOIN per_member p ON p.order_id = s.order_id AND p.member_id = s.holder AND p.shop = s.shop
  WHERE (s.order_id IS NOT NULL AND COALESCE(p.total, 0) <> s.credited)
    OR (s.order_id IS NULL AND p.total <> 0
      AND EXISTS (SELECT 1 FROM "OrderSnapshot" x WHERE x."shopDomain" = p.shop AND x."orderId" = p.order_id))
)
SELECT mismatched.*, COUNT(*) OVER () AS total_count FROM mismatched
ORDER BY shop, order_id
LIMIT {limit}`;

// SQLite: the per-(order, member) sums materialized once and joined twice (its planner handles
// this shape well, and a FULL JOIN against a grouped subquery badly).
const ORDER_CHECK_SQLITE = `
WITH order_rows AS (
  SELECT l."shopDomain" AS shop, CAST(l."sourceId" AS BIGINT) AS order_id, l."memberId" AS member_id, l."delta" AS delta
  FROM "LedgerEntry" l WHERE l."sourceType" = 'order' {shop:l}
  UNION ALL
  SELECT l."shopDomain", r."orderId", l."memberId", l."delta"
  FROM "LedgerEntry" l
  JOIN "OrderRefund" r ON r."shopDomain" = l."shopDomain" AND r."refundId" = CAST(l."sourceId" AS BIGINT)
  WHERE l."sourceType" = 'refund' {shop:l}
),
per_member AS MATERIALIZED (
  SELECT shop, order_id, member_id, CAST(SUM(delta) AS BIGINT) AS total FROM order_rows GROUP BY shop, order_id, member_id
),
mismatched AS (
  SELECT s."shopDomain" AS shop, CAST(s."orderId" AS TEXT) AS order_id, s."holderMemberId" AS member_id,
    s."pointsCredited" AS expected, COALESCE(p.total, 0) AS actual, 'holder' AS problem
  FROM "OrderSnapshot" s
  LEFT JOIN per_member p ON p.shop = s."shopDomain" AND p.order_id = s."orderId" AND p.member_id = s."holderMemberId"
  WHERE COALESCE(p.total, 0) <> s."pointsCredited" {shop:s}
  UNION ALL
  SELECT p.shop, CAST(p.order_id AS TEXT), p.member_id, 0, p.total, 'other'
  FROM per_member p
  JOIN "OrderSnapshot" s ON s."shopDomain" = p.shop AND s."orderId" = p.order_id
  WHERE p.total <> 0 AND (s."holderMemberId" IS NULL OR s."holderMemberId" <> p.member_id)
)
SELECT mismatched.*, COUNT(*) OVER () AS total_count FROM mismatched
ORDER BY shop, order_id
LIMIT {limit}`;

function orderMismatch(row: OrderRow): Mismatch {
  const expected = Number(row.expected);
  const actual = Number(row.actual);
  const memberId = row.member_id === null ? undefined : Number(row.member_id);
  const detail =
    row.problem === "holder"
      ? `order ${row.order_id}: credited ${expected} to ${memberId === undefined ? "nobody" : `member ${memberId}`}, whose rows for it sum to ${actual}`
      : `order ${row.order_id}: member ${memberId}, who does not hold it, has rows for it summing to ${actual} (expected 0)`;
  return { kind: "order", shop: row.shop, orderId: row.order_id, memberId, expected, actual, detail };
}

interface RedemptionRow extends Counted {
  shop: string;
  redemption_id: unknown;
  member_id: unknown;
  points_spent: unknown;
  points_returned: unknown;
  redeem_delta: unknown;
  redeem_member: unknown;
  return_delta: unknown;
  return_member: unknown;
  respend_delta: unknown;
  respend_member: unknown;
  second_return_delta: unknown;
  second_return_member: unknown;
}

const REDEMPTION_CHECK = `
WITH checked AS (
  SELECT r."shopDomain" AS shop, r."id" AS redemption_id, r."memberId" AS member_id, r."pointsSpent" AS points_spent,
    CASE WHEN r."pointsReturned" = TRUE THEN 1 ELSE 0 END AS points_returned,
    redeem."delta" AS redeem_delta, redeem."memberId" AS redeem_member,
    ret."delta" AS return_delta, ret."memberId" AS return_member,
    respend."delta" AS respend_delta, respend."memberId" AS respend_member,
    ret2."delta" AS second_return_delta, ret2."memberId" AS second_return_member
  FROM "Redemption" r
  LEFT JOIN "LedgerEntry" redeem ON redeem."shopDomain" = r."shopDomain" AND redeem."idempotencyKey" = 'redemption:' || r."id" || ':redeem'
  LEFT JOIN "LedgerEntry" ret ON ret."shopDomain" = r."shopDomain" AND ret."idempotencyKey" = 'redemption:' || r."id" || ':return'
  LEFT JOIN "LedgerEntry" respend ON respend."shopDomain" = r."shopDomain" AND respend."idempotencyKey" = 'redemption:' || r."id" || ':respend'
  LEFT JOIN "LedgerEntry" ret2 ON ret2."shopDomain" = r."shopDomain" AND ret2."idempotencyKey" = 'redemption:' || r."id" || ':return:2'
  WHERE 1 = 1 {shop:r}
)
SELECT checked.*, COUNT(*) OVER () AS total_count FROM checked
WHERE redeem_delta IS NULL OR redeem_delta <> -points_spent OR redeem_member <> member_id
  OR (CASE WHEN return_delta IS NULL THEN 0 ELSE 1 END) <> (CASE WHEN points_returned = 1 OR respend_delta IS NOT NULL THEN 1 ELSE 0 END)
  OR return_delta <> points_spent OR return_member <> member_id
  OR respend_delta <> -points_spent OR respend_member <> member_id
  OR (CASE WHEN second_return_delta IS NULL THEN 0 ELSE 1 END) <> (CASE WHEN respend_delta IS NOT NULL AND points_returned = 1 THEN 1 ELSE 0 END)
  OR second_return_delta <> points_spent OR second_return_member <> member_id
ORDER BY shop, redemption_id
LIMIT {limit}`;

function redemptionMismatch(row: RedemptionRow): Mismatch {
  const id = Number(row.redemption_id);
  const spent = Number(row.points_spent);
  const memberId = Number(row.member_id);
  const returned = Number(row.points_returned) === 1;
  const value = (delta: unknown) => (delta === null ? null : Number(delta));
  const [redeem, back, respend, backAgain] = [value(row.redeem_delta), value(row.return_delta), value(row.respend_delta), value(row.second_return_delta)];
  const problems: string[] = [];
  if (redeem === null) problems.push("no redeem row");
  else if (redeem !== -spent) problems.push(`redeem row ${redeem}, not ${-spent}`);
  const onOther = (member: unknown, name: string) => member !== null && Number(member) !== memberId && problems.push(`${name} row on member ${Number(member)}`);
  onOther(row.redeem_member, "redeem");
  const shouldReturn = returned || respend !== null;
  if (shouldReturn && back === null) problems.push(returned ? "points marked returned, no return row" : "a respend row without a return row");
  if (!shouldReturn && back !== null) problems.push("a return row, but the points are not marked returned");
  if (back !== null && back !== spent) problems.push(`return row ${back}, not ${spent}`);
  onOther(row.return_member, "return");
  if (respend !== null && respend !== -spent) problems.push(`respend row ${respend}, not ${-spent}`);
  if (respend !== null && returned && backAgain === null) problems.push("respent, but marked returned with no second return row");
  if (backAgain !== null && !(respend !== null && returned)) problems.push(respend === null ? "a second return row, but the points were never spent again" : "a second return row, but the points are not marked returned");
  if (backAgain !== null && backAgain !== spent) problems.push(`second return row ${backAgain}, not ${spent}`);
  onOther(row.respend_member, "respend");
  onOther(row.second_return_member, "second return");
  return { kind: "redemption", shop: row.shop, redemptionId: id, memberId, detail: `redemption ${id} (${spent} points): ${problems.join("; ")}` };
}

interface OrphanRow extends Counted {
  shop: string;
  member_id: unknown;
  key: string;
  delta: unknown;
  source_id: string;
}

const ORPHAN_REWARD_ROWS = `
WITH orphans AS (
  SELECT l."shopDomain" AS shop, l."memberId" AS member_id, l."idempotencyKey" AS key, l."delta" AS delta, l."sourceId" AS source_id
  FROM "LedgerEntry" l
  LEFT JOIN "Redemption" r ON r."shopDomain" = l."shopDomain" AND r."id" = CAST(l."sourceId" AS INTEGER)
  WHERE l."sourceType" = 'reward' AND r."id" IS NULL {shop:l}
)
SELECT orphans.*, COUNT(*) OVER () AS total_count FROM orphans ORDER BY shop, key LIMIT {limit}`;

interface DuplicateRow extends Counted {
  shop: string;
  key: string;
  uses: unknown;
}

const DUPLICATE_KEYS = `
WITH duplicates AS (
  SELECT l."shopDomain" AS shop, l."idempotencyKey" AS key, COUNT(*) AS uses
  FROM "LedgerEntry" l WHERE 1 = 1 {shop:l}
  GROUP BY l."shopDomain", l."idempotencyKey" HAVING COUNT(*) > 1
)
SELECT duplicates.*, COUNT(*) OVER () AS total_count FROM duplicates ORDER BY shop, key LIMIT {limit}`;

async function counts(db: Db, shop: string | null): Promise<VerifyReport["checked"]> {
  const [row] = await query<Record<string, unknown>>(
    db,
    `SELECT
      (SELECT COUNT(*) FROM "Shop" x WHERE 1 = 1 {shop:x:domain}) AS shops,
      (SELECT COUNT(*) FROM "Member" m WHERE 1 = 1 {shop:m}) AS members,
      (SELECT COUNT(*) FROM "LedgerEntry" l WHERE 1 = 1 {shop:l}) AS entries,
      (SELECT COUNT(*) FROM "OrderSnapshot" s WHERE 1 = 1 {shop:s}) AS orders,
      (SELECT COUNT(*) FROM "Redemption" r WHERE 1 = 1 {shop:r}) AS redemptions`,
    shop,
    0,
  );
  return {
    shops: Number(row.shops),
    members: Number(row.members),
    entries: Number(row.entries),
    orders: Number(row.orders),
    redemptions: Number(row.redemptions),
  };
}

/**
 * A check on PostgreSQL, in a transaction of its own with settings for one large aggregate: no
 * JIT compilation (it cost 0.2–0.7 s a statement here, more than it saved) and the memory to hash
 * a million ledger rows without spilling to disk (work_mem's default is 4 MB); both end with the
 * transaction.
 */
async function auditTransaction<T>(db: Db, statement: (tx: Queryable) => Promise<T[]>): Promise<T[]> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL jit = off");
      await tx.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
      return statement(tx);
    },
    // A check reads the whole ledger: as long as it takes (Prisma's default is 5 s).
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}

type Queryable = Pick<Db, "$queryRaw">;

/**
 * Runs a statement with its `{shop:alias}` markers bound to the shop (a parameter, through
 * Prisma's tagged-template call so that each database gets its own placeholders).
 */
function query<T>(db: Queryable, text: string, shop: string | null, limit: number): Promise<T[]> {
  const strings: string[] = [];
  const values: unknown[] = [];
  let rest = text.replace("{limit}", String(Math.trunc(limit)));
  for (;;) {
    const match = /\{shop:(\w+)(?::(\w+))?\}/.exec(rest);
    if (!match) break;
    const before = rest.slice(0, match.index);
    rest = rest.slice(match.index + match[0].length);
    if (shop === null) {
      rest = before + rest;
      continue;
    }
    strings.push(`${before} AND ${match[1]}."${match[2] ?? "shopDomain"}" = `);
    values.push(shop);
  }
  strings.push(rest);
  const template = Object.assign([...strings], { raw: [...strings] }) as unknown as TemplateStringsArray;
  return db.$queryRaw<T[]>(template, ...values);
}
