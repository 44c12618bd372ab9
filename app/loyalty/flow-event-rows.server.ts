// The FlowEvent row of a trigger (flow-events.ts), as the plain-SQL transactions write it (the
// order ledger, a redemption issued): once per key, in the transaction of the event it tells of.
import { nothing, type Query } from "~/sql-transaction.server";
import type { FlowEventDraft } from "./flow-events";

export function flowEventInsert(shopDomain: string, event: FlowEventDraft, now: Date): Query {
  return nothing(`INSERT INTO "FlowEvent" ${FLOW_EVENT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?) ${ONCE_PER_KEY}`, flowEventValues(shopDomain, event, now));
}

/**
 * The same row as part of a PostgreSQL statement: inserted once for each row `source` (a WITH
 * clause's name) yields, so only if that clause changed something. Typed, since nothing else
 * in the SELECT tells PostgreSQL the parameters' types.
 */
export function postgresFlowEventInsertFor(source: string, shopDomain: string, event: FlowEventDraft, now: Date): Query {
  return nothing(
    `INSERT INTO "FlowEvent" ${FLOW_EVENT_COLUMNS} SELECT ?::text, ?::text, ?::bigint, ?::text, ?::text, ?::timestamp(3) FROM "${source}" ${ONCE_PER_KEY}`,
    flowEventValues(shopDomain, event, now),
  );
}

const FLOW_EVENT_COLUMNS = `("shopDomain", "trigger", "customerId", "payload", "idempotencyKey", "createdAt")`;
const ONCE_PER_KEY = `ON CONFLICT ("shopDomain", "idempotencyKey") DO NOTHING`;

function flowEventValues(shopDomain: string, event: FlowEventDraft, now: Date): unknown[] {
  return [shopDomain, event.trigger, event.customerId, JSON.stringify(event.payload), event.idempotencyKey, now];
}
