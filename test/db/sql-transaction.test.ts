// The plain-SQL transactions of the hot paths (app/sql-transaction.server.ts): all or nothing on
// both databases, also when a batch that returns nothing fails after the transaction went on
// without waiting for it (PostgreSQL sends such a batch with the next one).
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { nothing, RolledBack, row, runSqlReads, runPostgresTransactionThisTurn, runSqlStatementWithRetries, runSqlTransaction, type Row, type SqlTransaction } from "~/sql-transaction.server";

const SHOP = "sql-transaction.myshopify.com";

async function shopCount(domain: string) {
  return db.shop.count({ where: { domain } });
}

const insertShop = (domain: string) =>
  nothing(`INSERT INTO "Shop" ("domain", "program", "createdAt", "updatedAt") VALUES (?, '{}', ?, ?)`, [domain, new Date(), new Date()]);

/** The transaction run on the test's database; a failure (SQLite throws at once) as a rejection. */
const transact = async <Result>(transaction: SqlTransaction<Result>) => runSqlTransaction(sql(), transaction);

const insertShopReturning = (domain: string) =>
  row(`INSERT INTO "Shop" ("domain", "program", "createdAt", "updatedAt") VALUES (?, '{}', ?, ?) RETURNING "domain"`, [domain, new Date(), new Date()]);

describe("plain-SQL transactions", () => {
  it("commits every batch, those that return nothing included", async () => {
    const result = await transact(
      (function* () {
        yield [insertShop(`${SHOP}-a`)];
        yield [insertShop(`${SHOP}-b`), insertShop(`${SHOP}-c`)];
        const [found] = (yield [row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" LIKE ?`, [`${SHOP}-%`])]) as [Row];
        return Number(found.count);
      })(),
    );
    // The read saw the writes sent before it without waiting for them.
    expect(result).toBe(3);
    expect(await shopCount(`${SHOP}-b`)).toBe(1);
  });

  it("rolls everything back when a write that returns nothing fails, reads after it included, and throws that failure", async () => {
    let readAfterFailure = false;
    const failing = transact(
      (function* () {
        yield [insertShop(`${SHOP}-d`)];
        yield [insertShop(`${SHOP}-d`)]; // the same primary key: refused
        yield [row(`SELECT 1 AS "one"`, [])];
        readAfterFailure = true;
        return "committed";
      })(),
    );
    await expect(failing).rejects.toThrow(/unique|UNIQUE|duplicate/);
    expect(readAfterFailure).toBe(false);
    expect(await shopCount(`${SHOP}-d`)).toBe(0);
  });

  it("rolls back when the failing write is the last batch, and the connection serves the next transaction", async () => {
    const failing = transact(
      (function* () {
        yield [insertShop(`${SHOP}-e`)];
        yield [insertShop(`${SHOP}-e`)];
        return "committed";
      })(),
    );
    await expect(failing).rejects.toThrow(/unique|UNIQUE|duplicate/);
    expect(await shopCount(`${SHOP}-e`)).toBe(0);
    // Every pooled connection is fine afterwards.
    const counts = await Promise.all(
      Array.from({ length: 12 }, () => runSqlReads(sql(), [row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" = ?`, [`${SHOP}-e`])])),
    );
    expect(counts.map(([found]) => Number((found as Row).count))).toEqual(Array(12).fill(0));
  });

  it("undoes what it sent, and gives the result, when it ends RolledBack", async () => {
    const result = await transact(
      (function* () {
        yield [insertShop(`${SHOP}-f`)]; // sent with the next batch, not waited for
        const [, found] = (yield [
          insertShopReturning(`${SHOP}-g`),
          row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" IN (?, ?)`, [`${SHOP}-f`, `${SHOP}-g`]),
        ]) as [Row, Row];
        return new RolledBack(`saw ${Number(found.count)}`);
      })(),
    );
    expect(result).toBe("saw 2");
    expect(await shopCount(`${SHOP}-f`)).toBe(0);
    expect(await shopCount(`${SHOP}-g`)).toBe(0);
  });

  it("throws the failure of a write sent without waiting, also when it ends RolledBack, and keeps nothing", async () => {
    await transact(
      (function* () {
        yield [insertShop(`${SHOP}-h`)];
        return null;
      })(),
    );
    const failing = transact(
      (function* () {
        yield [insertShop(`${SHOP}-i`), insertShop(`${SHOP}-h`)]; // the second is refused
        return new RolledBack("undone");
      })(),
    );
    await expect(failing).rejects.toThrow(/unique|UNIQUE|duplicate/);
    expect([await shopCount(`${SHOP}-h`), await shopCount(`${SHOP}-i`)]).toEqual([1, 0]);
  });

  it("rolls back what it sent without waiting when it throws, and ends RolledBack having sent nothing", async () => {
    const throwing = transact(
      (function* () {
        yield [insertShop(`${SHOP}-j`)];
        throw new Error("changed its mind");
      })(),
    );
    await expect(throwing).rejects.toThrow("changed its mind");
    expect(await shopCount(`${SHOP}-j`)).toBe(0);
    const nothingSent = await transact(
      // eslint-disable-next-line require-yield
      (function* () {
        return new RolledBack("nothing to undo");
      })(),
    );
    expect(nothingSent).toBe("nothing to undo");
    // Every pooled connection still serves.
    const counts = await Promise.all(
      Array.from({ length: 12 }, () => runSqlReads(sql(), [row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" = ?`, [`${SHOP}-j`])])),
    );
    expect(counts.map(([found]) => Number((found as Row).count))).toEqual(Array(12).fill(0));
  });
});

describe("statements committed on their own", () => {
  it("commits or fails each alone; on PostgreSQL, those of one turn share one connection and one round trip", async () => {
    const connection = sql();
    const connects = connection.provider === "postgresql" ? countConnects(connection.pool) : null;
    const results = await Promise.allSettled([
      runSqlStatementWithRetries(connection, insertShopReturning(`${SHOP}-k`)),
      // Division by zero: PostgreSQL refuses this one (SQLite answers null), and no other.
      runSqlStatementWithRetries(connection, row(`SELECT 1 / 0 AS "never"`, [])),
      runSqlStatementWithRetries(connection, insertShopReturning(`${SHOP}-l`)),
      runSqlStatementWithRetries(connection, row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" = ?`, [`${SHOP}-nobody`])),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", connection.provider === "postgresql" ? "rejected" : "fulfilled", "fulfilled", "fulfilled"]);
    expect((results[0] as PromiseFulfilledResult<Row>).value).toEqual({ domain: `${SHOP}-k` });
    expect(Number(((results[3] as PromiseFulfilledResult<Row>).value as Row).count)).toBe(0);
    expect(await shopCount(`${SHOP}-k`)).toBe(1);
    expect(await shopCount(`${SHOP}-l`)).toBe(1);
    if (connects) expect(connects.count).toBe(1);
    connects?.restore();
  });
});

describe("PostgreSQL: transactions of one turn shared", () => {
  it.runIf(process.env.TEST_DATABASE === "postgres")("runs them as one (one connection), each with its own results; a refused one alone, the others committed", async () => {
    const connection = sql();
    if (connection.provider !== "postgresql") throw new Error("PostgreSQL only");
    const connects = countConnects(connection.pool);
    const insertAndCount = (domain: string) => [insertShopReturning(domain), row(`SELECT COUNT(*) AS "count" FROM "Shop" WHERE "domain" = ?`, [domain])];
    const [m, refused, n] = await Promise.allSettled([
      runPostgresTransactionThisTurn(connection, insertAndCount(`${SHOP}-m`), "2"),
      // The same domain twice: its second insert is refused, and its first is undone.
      runPostgresTransactionThisTurn(connection, [insertShopReturning(`${SHOP}-o`), insertShopReturning(`${SHOP}-o`)], "3"),
      runPostgresTransactionThisTurn(connection, insertAndCount(`${SHOP}-n`), "1"),
    ]);
    expect(m).toEqual({ status: "fulfilled", value: [{ domain: `${SHOP}-m` }, { count: 1 }] });
    expect(n).toEqual({ status: "fulfilled", value: [{ domain: `${SHOP}-n` }, { count: 1 }] });
    expect(refused).toMatchObject({ status: "rejected", reason: { code: "23505" } });
    expect([await shopCount(`${SHOP}-m`), await shopCount(`${SHOP}-n`), await shopCount(`${SHOP}-o`)]).toEqual([1, 1, 0]);
    // Shared once, refused by PostgreSQL, then each alone: 1 + 3 connections.
    expect(connects.count).toBe(4);

    connects.count = 0;
    const together = await Promise.all([`${SHOP}-p`, `${SHOP}-q`].map((domain, i) => runPostgresTransactionThisTurn(connection, insertAndCount(domain), String(i))));
    expect(together).toEqual([
      [{ domain: `${SHOP}-p` }, { count: 1 }],
      [{ domain: `${SHOP}-q` }, { count: 1 }],
    ]);
    expect(connects.count).toBe(1);

    // A statement the driver cannot send (its parameter cannot be serialized) fails its own
    // transaction's caller only: the others were committed, and say so.
    connects.count = 0;
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const [r, unsendable, s] = await Promise.allSettled([
      runPostgresTransactionThisTurn(connection, insertAndCount(`${SHOP}-r`), "1"),
      runPostgresTransactionThisTurn(connection, [row(`SELECT ?::text AS "never"`, [circular])], "2"),
      runPostgresTransactionThisTurn(connection, insertAndCount(`${SHOP}-s`), "3"),
    ]);
    expect([r.status, unsendable.status, s.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((unsendable as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect([await shopCount(`${SHOP}-r`), await shopCount(`${SHOP}-s`)]).toEqual([1, 1]);
    expect(connects.count).toBe(1);
    connects.restore();
  });
});

/** How many connections the pool hands out, until restored. */
function countConnects(pool: { connect: () => Promise<unknown> }) {
  const connect = pool.connect;
  const counted = { count: 0, restore: () => void (pool.connect = connect) };
  pool.connect = function (this: unknown) {
    counted.count++;
    return connect.call(pool);
  };
  return counted;
}
