// Runs a transaction written once for both databases through the drivers themselves, for the hot
// path that Prisma makes too slow (the order ledger, app/loyalty/ledger.server.ts). A transaction
// is a generator that yields batches of statements that do not depend on each other and receives
// their results:
// - SQLite runs it synchronously inside BEGIN IMMEDIATE … COMMIT: nothing else in the process can
//   interleave, and a busy database fails at once (the caller retries asynchronously rather than
//   blocking the event loop);
// - PostgreSQL pipelines each batch, BEGIN with the first, on one pooled connection: one round
//   trip a batch, none for a batch of writes that return nothing (it goes with the next).
// Statements are prepared once per connection (SQLite) or named so that each connection parses
// and plans them once (PostgreSQL).
import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import pg, { type PoolClient } from "pg";
import type { SqlConnection } from "./sql.server";

export type Row = Record<string, unknown>;
type PostgresConnection = Extract<SqlConnection, { provider: "postgresql" }>;
type PostgresPool = PostgresConnection["pool"];
export type Query = { sql: string; params: unknown[]; returns: "row" | "rows" | "nothing" };
export type QueryResult = Row | Row[] | undefined;
/** Yields batches of statements that do not depend on each other; receives their results. */
export type SqlTransaction<Result> = Generator<Query[], Result | RolledBack<Result>, QueryResult[]>;

/**
 * What a transaction returns to end with ROLLBACK instead of COMMIT. A transaction may send a
 * write together with the statement that decides whether it should happen (one round trip, not
 * two) and, when it should not, undo it this way.
 */
export class RolledBack<Result> {
  constructor(readonly result: Result) {}
}

export const row = (sql: string, params: unknown[]): Query => ({ sql, params, returns: "row" });
export const rows = (sql: string, params: unknown[]): Query => ({ sql, params, returns: "rows" });
export const nothing = (sql: string, params: unknown[]): Query => ({ sql, params, returns: "nothing" });

export function runSqlTransaction<Result>(connection: SqlConnection, transaction: SqlTransaction<Result>): Result | Promise<Result> {
  return connection.provider === "sqlite" ? runOnSqlite(connection.database, transaction) : runOnPostgres(connection.pool, transaction);
}

export type SqliteDatabase = Extract<SqlConnection, { provider: "sqlite" }>["database"];

// Prisma stores SQLite timestamps as ISO text with an explicit offset, booleans as 0/1.
const sqliteParam = (param: unknown) =>
  param instanceof Date ? param.toISOString().replace("Z", "+00:00") : typeof param === "boolean" ? Number(param) : param;

// Prisma's PostgreSQL columns are `timestamp(3)` without zone, holding UTC.
const postgresParam = (param: unknown) => (param instanceof Date ? param.toISOString().slice(0, -1) : param);

function postgresQuery(client: PoolClient, { sql, params }: Query) {
  const { name, text } = postgresStatement(sql);
  return client.query<Row>({ name, text, values: params.map(postgresParam) });
}

/** What a statement gives back on PostgreSQL: its first row, its rows, or nothing, as it asked. */
const resultOf = ({ returns }: Query, { rows }: pg.QueryResult<Row>): QueryResult => (returns === "row" ? rows[0] : returns === "rows" ? rows : undefined);

/** Epoch ms from a stored timestamp as the drivers return it: ISO text (SQLite) or ms (PostgreSQL, see sql.server). */
export function storedMs(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" || typeof value === "bigint" ? Number(value) : Date.parse(String(value));
}
type SqliteStatement = BetterSqlite3.Statement<unknown[], Row>;
const preparedStatements = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

/** The statement prepared once per SQLite connection. */
export function sqliteStatement(database: SqliteDatabase, sql: string): SqliteStatement {
  let statements = preparedStatements.get(database);
  if (!statements) preparedStatements.set(database, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) {
    statement = database.prepare<unknown[], Row>(sql);
    // Integers come back as bigint, so 64-bit ids keep every digit (amounts go through Number()).
    if (statement.reader) statement.safeIntegers(true);
    statements.set(sql, statement);
  }
  return statement;
}

function runOnSqlite<Result>(database: SqliteDatabase, transaction: SqlTransaction<Result>): Result {
  const prepare = (sql: string) => sqliteStatement(database, sql);
  prepare("BEGIN IMMEDIATE").run();
  try {
    let step = transaction.next();
    while (!step.done) {
      const results = step.value.map(({ sql, params, returns }): QueryResult => {
        const statement = prepare(sql);
        const args = params.map(sqliteParam);
        return returns === "row" ? statement.get(...args) : returns === "rows" ? statement.all(...args) : void statement.run(...args);
      });
      step = transaction.next(results);
    }
    if (step.value instanceof RolledBack) {
      prepare("ROLLBACK").run();
      return step.value.result;
    }
    prepare("COMMIT").run();
    return step.value;
  } catch (error) {
    if (database.inTransaction) prepare("ROLLBACK").run();
    throw error;
  }
}

/**
 * Runs `send` with the connection's socket corked: the statements it sends leave in one write.
 * pg corks each statement's messages itself, but each statement is still a write of its own,
 * and socket writes were a quarter of a pipelined transaction's CPU. (`connection.stream` is
 * pg's socket; should a pg release not have it, the statements go out as before.)
 */
function corked<T>(client: PoolClient, send: () => T): T {
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  stream?.cork?.();
  try {
    return send();
  } finally {
    stream?.uncork?.();
  }
}

/** The promise, with its rejection marked handled: it is waited for later, not lost. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

async function runOnPostgres<Result>(
  pool: PostgresPool,
  transaction: SqlTransaction<Result>,
): Promise<Result> {
  const client = await pool.connect();
  // The pool pipelines (app/sql.server.ts): a batch's statements, and BEGIN with the first
  // batch, go out together (one socket write, corked) and cost one round trip.
  let pending: Promise<unknown>[] = [];
  let begun = false;
  let rolledBack: RolledBack<Result>;
  try {
    let step = transaction.next();
    while (!step.done) {
      const statements = step.value;
      const batch = corked(client, () => {
        // Waited for with the first batch that returns rows (or the COMMIT); handled at once so
        // that a failure before then (the transaction throwing first) is never unhandled.
        if (!begun) pending = [quiet(client.query("BEGIN"))];
        begun = true;
        return statements.map((query) => postgresQuery(client, query));
      });
      if (statements.every(({ returns }) => returns === "nothing")) {
        // Nothing to read back: the batch is not waited for but goes with the next one (or the
        // COMMIT), saving a round trip. Should it fail, PostgreSQL refuses what follows in the
        // transaction, and the first failure in order is what the wait throws.
        pending.push(...batch.map(quiet));
        step = transaction.next(statements.map(() => undefined));
        continue;
      }
      const results = await settledInOrder([...pending, ...batch]);
      pending = [];
      step = transaction.next(
        step.value.map((query, i) => resultOf(query, results[results.length - batch.length + i] as pg.QueryResult<Row>)),
      );
    }
    if (step.value instanceof RolledBack) {
      rolledBack = step.value;
    } else {
      if (begun) await settledInOrder([...pending, client.query("COMMIT")]);
      client.release();
      return step.value;
    }
  } catch (error) {
    // A failed ROLLBACK means the connection itself is broken: drop it from the pool.
    const undone =
      !begun ||
      (await client.query("ROLLBACK").then(
        () => true,
        () => false,
      ));
    client.release(undone ? undefined : (error as Error));
    throw error;
  }
  // The transaction ends undone. A statement it sent without waiting that failed is thrown, as
  // on SQLite (where it throws when run): the transaction decided without knowing.
  const settled = begun ? await Promise.allSettled([...pending, client.query("ROLLBACK")]) : [];
  const rollback = settled.pop();
  const broken = rollback?.status === "rejected" ? (rollback.reason as Error) : undefined;
  client.release(broken);
  const failure = settled.find((result) => result.status === "rejected");
  if (broken || failure) throw broken ?? (failure as PromiseRejectedResult).reason;
  return rolledBack.result;
}

/**
 * PostgreSQL: statements in one transaction, sent with its BEGIN and COMMIT in one socket write,
 * so one round trip, for statements that need no answer to decide what follows. Each statement
 * sees what was committed when it started (READ COMMITTED): one after a row lock sees everything
 * the lock's earlier holders committed. A failing statement undoes the whole transaction
 * (PostgreSQL refuses the statements after it, and the COMMIT then rolls back) and is thrown.
 */
export async function runPostgresTransaction(
  connection: PostgresConnection,
  queries: readonly Query[],
): Promise<QueryResult[]> {
  const { statements, commit } = await sentInOneTransaction(connection, queries);
  const failure = [...statements, commit].find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return queries.map((query, i) => resultOf(query, (statements[i] as PromiseFulfilledResult<pg.QueryResult<Row>>).value));
}

/**
 * BEGIN, the statements and COMMIT in one socket write; what became of each statement and of the
 * transaction (a COMMIT after a refused statement answers ROLLBACK: it is fulfilled, but nothing
 * was committed).
 */
async function sentInOneTransaction(
  connection: PostgresConnection,
  queries: readonly Query[],
): Promise<{ statements: PromiseSettledResult<pg.QueryResult<Row>>[]; commit: PromiseSettledResult<unknown> }> {
  const client = await connection.pool.connect();
  let broken: Error | undefined;
  try {
    const sent = corked(client, () => [client.query("BEGIN"), ...queries.map((query) => postgresQuery(client, query)), client.query("COMMIT")].map(quiet));
    const settled = await Promise.allSettled(sent);
    const [begin, ...rest] = settled;
    const commit = rest.pop()!;
    if (commit.status === "rejected") {
      // The COMMIT itself failed: nothing may stay open on a connection going back to the pool.
      await client.query("ROLLBACK").catch((error: Error) => (broken = error));
    }
    // A failed BEGIN fails the transaction as a failed COMMIT would.
    return { statements: rest as PromiseSettledResult<pg.QueryResult<Row>>[], commit: begin.status === "rejected" ? begin : commit };
  } finally {
    client.release(broken);
  }
}

/** Where requests wait for their turn's shared work, by key (a Map or a WeakMap). */
export interface Gathering<Key, Item> {
  get(key: Key): Item[] | undefined;
  set(key: Key, items: Item[]): unknown;
  delete(key: Key): unknown;
}

/**
 * Adds `item` to what `key` gathers in this turn of the event loop. After the turn's I/O
 * callbacks (setImmediate), `flush` gets all that was gathered: requests that arrive in one burst
 * share one round trip.
 */
export function gatherThisTurn<Key, Item>(gathering: Gathering<Key, Item>, key: Key, item: Item, flush: (items: Item[]) => void): void {
  const waiting = gathering.get(key);
  if (waiting) {
    waiting.push(item);
    return;
  }
  const items = [item];
  gathering.set(key, items);
  setImmediate(() => {
    gathering.delete(key);
    flush(items);
  });
}

interface WaitingTransaction {
  queries: readonly Query[];
  order: string;
  resolve: (results: QueryResult[]) => void;
  reject: (error: unknown) => void;
}

/** Per pool: the transactions waiting for this turn's shared one. */
const waitingTransactions = new WeakMap<PostgresPool, WaitingTransaction[]>();

/** More transactions than this in one turn are shared in more than one (each one's locks are held until all are done). */
const MOST_TRANSACTIONS_SHARED = 10;

/**
 * PostgreSQL: runPostgresTransaction, shared with the others asked for in the same turn of the
 * event loop: their statements in one transaction, so one round trip and one commit (one flush
 * of the WAL) for all of them; each gets the results of its own statements. The transactions
 * run in the order of `order`, so that row locks are taken in that order and two shared
 * transactions never wait for each other in a circle (another transaction locking several rows
 * in another order can still deadlock with one: PostgreSQL then refuses one of the two). When
 * PostgreSQL refuses the shared one (a statement of any of them), each runs again alone and gets
 * its own outcome.
 */
export function runPostgresTransactionThisTurn(
  connection: PostgresConnection,
  queries: readonly Query[],
  order: string,
): Promise<QueryResult[]> {
  return new Promise((resolve, reject) =>
    gatherThisTurn(waitingTransactions, connection.pool, { queries, order, resolve, reject }, (waiting) => {
      const sorted = waiting.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      for (let start = 0; start < sorted.length; start += MOST_TRANSACTIONS_SHARED) {
        const shared = sorted.slice(start, start + MOST_TRANSACTIONS_SHARED);
        // No connection, say: each gets the failure (one already settled keeps its outcome).
        runShared(connection, shared).catch((error: unknown) => shared.forEach((transaction) => transaction.reject(error)));
      }
    }),
  );
}

async function runShared(connection: PostgresConnection, transactions: WaitingTransaction[]): Promise<void> {
  const alone = (transaction: WaitingTransaction) => runPostgresTransaction(connection, transaction.queries).then(transaction.resolve, transaction.reject);
  if (transactions.length === 1) return alone(transactions[0]);
  const { statements, commit } = await sentInOneTransaction(
    connection,
    transactions.flatMap((transaction) => transaction.queries),
  );
  // PostgreSQL refused a statement or the commit: nothing was committed, each runs alone.
  if ([...statements, commit].some((result) => result.status === "rejected" && refusedByPostgres(result.reason))) {
    await Promise.all(transactions.map(alone));
    return;
  }
  // The connection failed the commit: whether it happened is unknown, each gets the failure.
  if (commit.status === "rejected") {
    for (const transaction of transactions) transaction.reject(commit.reason);
    return;
  }
  // Committed: each gets its results, or the failure of a statement that never reached the server.
  let next = 0;
  for (const transaction of transactions) {
    const own = statements.slice(next, next + transaction.queries.length);
    next += transaction.queries.length;
    const failure = own.find((result) => result.status === "rejected");
    if (failure) transaction.reject((failure as PromiseRejectedResult).reason);
    else transaction.resolve(transaction.queries.map((query, i) => resultOf(query, (own[i] as PromiseFulfilledResult<pg.QueryResult<Row>>).value)));
  }
}

/**
 * Statements outside any transaction, each committed on its own and seeing what is committed:
 * for reads, no write lock on SQLite (a reader in WAL mode never waits for a writer); one round
 * trip on PostgreSQL.
 */
export async function runSqlReads(connection: SqlConnection, queries: readonly Query[]): Promise<QueryResult[]> {
  if (connection.provider === "sqlite") {
    return queries.map(({ sql, params, returns }) => {
      const statement = sqliteStatement(connection.database, sql);
      const args = params.map(sqliteParam);
      return returns === "row" ? statement.get(...args) : statement.all(...args);
    });
  }
  return runEachCommittedOnPostgres(connection, queries);
}

/**
 * PostgreSQL: statements outside any transaction, each committed on its own, all in one round
 * trip. A batch of writes over many rows that need not commit together goes this way: none of its
 * statements holds a row lock while another waits, so it cannot deadlock with a transaction that
 * locks some of those rows in another order (the redeems' shared ones lock several members).
 */
export async function runEachCommittedOnPostgres(connection: PostgresConnection, queries: readonly Query[]): Promise<QueryResult[]> {
  const client = await connection.pool.connect();
  try {
    const results = await Promise.all(corked(client, () => queries.map((query) => postgresQuery(client, query))));
    return results.map(({ rows }, i) => (queries[i].returns === "row" ? (rows[0] as Row | undefined) : (rows as Row[])));
  } finally {
    client.release();
  }
}

/** An error PostgreSQL answered with, not one of the connection. */
function refusedByPostgres(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}

/** Waits for every promise; throws the first failure in order (later ones follow from it). */
async function settledInOrder(promises: Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value);
}

const postgresStatements = new Map<string, { name: string; text: string }>();

/**
 * The statement as PostgreSQL takes it: `?` → `$1, $2, …` (the statements hold no literal
 * question marks), and a name, so that each connection parses and plans it once. The name is
 * the text's hash, not a counter: a connection outlives any one copy of this module (a reloaded
 * module in development or tests), and a name must never stand for two texts on it.
 */
export function postgresStatement(sql: string): { name: string; text: string } {
  let statement = postgresStatements.get(sql);
  if (!statement) {
    let index = 0;
    statement = { name: `tally_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`, text: sql.replace(/\?/g, () => `$${++index}`) };
    postgresStatements.set(sql, statement);
  }
  return statement;
}

/**
 * How long a transaction keeps trying: as long as a SQLite writer waits for the lock (db.server.ts's
 * busy timeout). A count of tries is no measure: under load, another process's interactive
 * transaction (Prisma's, in a busy worker) can hold SQLite's lock for hundreds of milliseconds,
 * and 20 quick tries gave up before it was done (a 500, in bench:webhooks at 32 in flight).
 */
const RETRY_FOR_MS = 5_000;
/** Tries past which a failure other than a busy database (a key race that keeps recurring) is final. */
const MAX_ATTEMPTS = 20;

/**
 * Runs a transaction, and runs it again (built afresh) when it failed for a reason that another
 * try can cure (sqlRetryReason): a busy SQLite database, a unique-key race, a deadlock. Waits a
 * few random milliseconds between tries (growing to at most 50), asynchronously (the driver
 * itself never waits for a lock). `beforeRetry` learns why, e.g. to drop a cached row that was
 * deleted meanwhile.
 */
export function runSqlTransactionWithRetries<Result>(
  connection: SqlConnection,
  build: () => SqlTransaction<Result> | Promise<SqlTransaction<Result>>,
  beforeRetry?: (reason: "conflict" | "missing_reference") => void,
): Promise<Result> {
  return withRetries(async () => runSqlTransaction(connection, await build()), beforeRetry);
}

/**
 * One statement committed on its own (no BEGIN or COMMIT: one round trip on PostgreSQL, shared
 * with the other such statements of the same turn), run again as a transaction would be when
 * another try can cure its failure. All or nothing like any single statement; on PostgreSQL it
 * may change several tables through data-modifying WITH clauses.
 */
export function runSqlStatementWithRetries(connection: SqlConnection, query: Query): Promise<QueryResult> {
  if (connection.provider === "sqlite") return withRetries(async () => (await runSqlReads(connection, [query]))[0]);
  return withRetries(() => runPostgresStatementThisTurn(connection.pool, query));
}

interface WaitingStatement {
  query: Query;
  resolve: (result: QueryResult) => void;
  reject: (error: unknown) => void;
}

/** Per pool: the statements waiting for this turn's round trip. */
const waitingStatements = new WeakMap<PostgresPool, WaitingStatement[]>();

/** More statements than this in one turn go out on more than one connection. */
const MOST_STATEMENTS_PER_ROUND_TRIP = 50;

/**
 * PostgreSQL: a statement committed on its own, sent with the others asked for in the same turn
 * of the event loop: one connection, one socket write and one round trip for all of them. What
 * such statements follow (Shopify's answers to redeems, say) arrives in bursts under load, and a
 * round trip of its own cost a worker about half a millisecond of CPU (the socket's write and
 * read; bench:redeem, PostgreSQL). Each statement still commits or fails alone: pg ends each with
 * its own Sync, after which PostgreSQL runs the next one whatever happened to it.
 */
function runPostgresStatementThisTurn(pool: PostgresPool, query: Query): Promise<QueryResult> {
  return new Promise((resolve, reject) =>
    gatherThisTurn(waitingStatements, pool, { query, resolve, reject }, (waiting) => {
      for (let start = 0; start < waiting.length; start += MOST_STATEMENTS_PER_ROUND_TRIP) {
        void sendTogether(pool, waiting.slice(start, start + MOST_STATEMENTS_PER_ROUND_TRIP));
      }
    }),
  );
}

async function sendTogether(pool: PostgresPool, statements: WaitingStatement[]): Promise<void> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    for (const statement of statements) statement.reject(error);
    return;
  }
  let broken: Error | undefined;
  try {
    const sent = corked(client, () => statements.map(({ query }) => quiet(postgresQuery(client, query))));
    const settled = await Promise.allSettled(sent);
    settled.forEach((result, i) => {
      const { query, resolve, reject } = statements[i];
      if (result.status === "fulfilled") return resolve(resultOf(query, result.value));
      // Not PostgreSQL's answer: the connection failed, and goes out of the pool.
      if (!refusedByPostgres(result.reason)) broken ??= result.reason as Error;
      reject(result.reason);
    });
  } catch (error) {
    // Sending failed: each statement not settled yet gets the failure.
    broken = error as Error;
    for (const statement of statements) statement.reject(error);
  } finally {
    client.release(broken);
  }
}

async function withRetries<Result>(run: () => Promise<Result>, beforeRetry?: (reason: "conflict" | "missing_reference") => void): Promise<Result> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const reason = sqlRetryReason(error);
      if (reason === null || Date.now() - startedAt > RETRY_FOR_MS || (attempt >= MAX_ATTEMPTS && !isBusy(error))) throw error;
      beforeRetry?.(reason);
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * Math.min(50, 2 * attempt)));
    }
  }
}

function isBusy(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_BUSY";
}

/** Why a failed transaction may be run again, or null when it may not. */
export function sqlRetryReason(error: unknown): "conflict" | "missing_reference" | null {
  if (typeof error !== "object" || error === null) return null;
  const code = String((error as { code?: unknown }).code ?? "");
  // SQLite: another connection holds the write lock; a new member's referral code collided.
  if (code === "SQLITE_BUSY" || code === "SQLITE_CONSTRAINT_UNIQUE") return "conflict";
  // PostgreSQL: unique violation (concurrent first deliveries), serialization failure, deadlock.
  if (code === "23505" || code === "40001" || code === "40P01") return "conflict";
  // A row referenced was deleted meanwhile (a shop redacted since it was cached, say).
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503") return "missing_reference";
  return null;
}
