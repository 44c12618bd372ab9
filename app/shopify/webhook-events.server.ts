// Webhook events already handled (the WebhookEvent table), so that a repeated delivery of one
// event is answered without being parsed or worked again. The ledger's idempotency keys stay the
// final guard: an event is recorded only after its work committed, so a crash in between, or two
// deliveries racing, at worst runs the (idempotent) work twice.
//
// Every webhook pays for the lookup, so it runs through the driver (app/sql.server.ts) like the
// ledger: through Prisma it would cost more than the ledger transaction. Order webhooks record
// their event inside the ledger transaction (app/loyalty/ledger.server.ts); the other topics,
// rare, record it here after their commit. Pruning goes through Prisma.
import type { Db } from "~/db.server";
import type { SqlConnection } from "~/sql.server";
import type { JobHandler } from "~/jobs/runner.server";
import { nothing, postgresStatement, runSqlTransactionWithRetries, sqliteStatement, type SqlTransaction } from "~/sql-transaction.server";

export interface WebhookEventKey {
  shopDomain: string;
  eventId: string;
  topic: string;
}

const SEEN = `SELECT 1 AS "seen" FROM "WebhookEvent" WHERE "shopDomain" = ? AND "eventId" = ? AND "topic" = ?`;
// Only for a shop we hold: a shop that was never installed (or was just redacted) keeps no rows,
// and the foreign key cascades the rows away with the shop.
const RECORD = `INSERT INTO "WebhookEvent" ("shopDomain", "eventId", "topic", "receivedAt")
  SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "Shop" WHERE "domain" = ?)
  ON CONFLICT ("shopDomain", "eventId", "topic") DO NOTHING`;
const SEEN_POSTGRES = postgresStatement(SEEN);

/**
 * Events handled by this process whose record is still on its way to the database: a repeat
 * arriving meanwhile is caught here, so callers need not wait for the record before answering.
 */
const recording = new Map<string, Promise<void>>();
const keyText = (key: WebhookEventKey) => JSON.stringify([key.shopDomain, key.eventId, key.topic]);

/** Whether this event of this shop and topic was handled before (one primary-key lookup). */
export async function webhookEventSeen(connection: SqlConnection, key: WebhookEventKey): Promise<boolean> {
  if (recording.has(keyText(key))) return true;
  const params = [key.shopDomain, key.eventId, key.topic];
  if (connection.provider === "sqlite") return sqliteStatement(connection.database, SEEN).get(...params) !== undefined;
  const result = await connection.pool.query({ ...SEEN_POSTGRES, values: params });
  return result.rowCount !== 0;
}

/**
 * Records a handled event; a second record of the same event changes nothing. The event counts
 * as seen in this process from the call on (the returned promise settles when it is stored).
 */
export function recordWebhookEvent(connection: SqlConnection, key: WebhookEventKey, now = new Date()): Promise<void> {
  const text = keyText(key);
  const stored = insertWebhookEvent(connection, key, now).finally(() => recording.delete(text));
  recording.set(text, stored);
  return stored;
}

/** Settles once every record this process has started is stored (or failed): for tests, shutdown. */
export async function webhookEventRecordsSettled(): Promise<void> {
  await Promise.allSettled([...recording.values()]);
}

function insertWebhookEvent(connection: SqlConnection, key: WebhookEventKey, now: Date): Promise<void> {
  return runSqlTransactionWithRetries(connection, () => recordTransaction(key, now));
}

function* recordTransaction(key: WebhookEventKey, now: Date): SqlTransaction<void> {
  yield [nothing(RECORD, [key.shopDomain, key.eventId, key.topic, now, key.shopDomain])];
}

/** How long an event is remembered: Shopify retries a failed delivery 8 times over 4 hours. */
export const WEBHOOK_EVENT_MEMORY_MS = 24 * 3_600_000;

/** Deletes the records of events received before `date` (the daily webhook-events-pruning job). */
export async function forgetWebhookEventsBefore(db: Db, date: Date): Promise<number> {
  const { count } = await db.webhookEvent.deleteMany({ where: { receivedAt: { lt: date } } });
  return count;
}

export const WEBHOOK_EVENTS_PRUNING = { key: "webhook-events-pruning", name: "webhook-events-pruning", everyMs: 3_600_000 } as const;

export const webhookEventJobs: Record<string, JobHandler> = {
  [WEBHOOK_EVENTS_PRUNING.name]: async ({ db }) => {
    await forgetWebhookEventsBefore(db, new Date(Date.now() - WEBHOOK_EVENT_MEMORY_MS));
  },
};
