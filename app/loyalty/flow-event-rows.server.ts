// The FlowEvent row of a trigger (flow-events.ts), as the plain-SQL transactions write it (the
// order ledger, a redemption issued): once per key, in the transaction of the event it tells of.
import { nothing, type Query } from "~/sql-transaction.server";
import type { FlowEventDraft } from "./flow-events";

export function flowEventInsert(shopDomain: string, event: FlowEventDraft, now: Date): Query {
  return nothing(
    `INSERT INTO "FlowEvent" ("shopDomain", "trigger", "customerId", "payload", "idempotencyKey", "createdAt") VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("shopDomain", "idempotencyKey") DO NOTHING`,
    [shopDomain, event.trigger, event.customerId, JSON.stringify(event.payload), event.idempotencyKey, now],
  );
}
