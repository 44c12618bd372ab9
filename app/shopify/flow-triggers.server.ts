// Sends the Shopify Flow triggers the ledger, the redemptions and the tier recalculation record
// (FlowEvent rows, written in the same transaction as what they tell of) with flowTriggerReceive,
// as the `flow-triggers:<shop>` job: one process per shop at a time, oldest first, each marked
// sent once Shopify took it. Shopify refusing one (userErrors: a payload it does not accept) is
// recorded and retried a few times, then given up on, never holding up the rest; Shopify down or
// throttling makes the job wait and retry. The `flow-sweep` (every minute) asks for shops with
// triggers left, so a request lost with a process is made up.
import db from "~/db.server";
import { ensureJob, requestJob, type JobRequest } from "~/jobs/job-store.server";
import type { JobHandler } from "~/jobs/runner.server";
import { FLOW_TRIGGERS } from "~/loyalty/flow-events";
import { logger } from "~/logger.server";
import { runtimeEnv } from "~/runtime-env.server";
import { adminGraphqlFor } from "./admin-client.server";
import { adminRequest, AdminRequestError, type AdminAnswer } from "./admin-request.server";
import { FLOW_TRIGGER_RECEIVE } from "./graphql/flow-trigger";
import { shopHasSession } from "./summary-sync-request.server";

export const FLOW_TRIGGERS_JOB = "flow-triggers";
export const FLOW_SWEEP = { key: "flow-sweep", name: "flow-sweep", everyMs: 60_000 } as const;
/** Refusals of one trigger before it is given up on. */
export const MAX_FLOW_ATTEMPTS = 5;
const BATCH = 50;
/**
 * Triggers sent at once. Shopify answers each call in a few hundred milliseconds, and one at a
 * time a shop could not be told of more than a few orders a second; Shopify's cost bucket (read
 * from every answer) still paces them.
 */
const SENDS_IN_FLIGHT = 4;
const MAX_INLINE_WAIT_MS = 2_000;

export function flowTriggersJob(shop: string): JobRequest {
  return { key: `${FLOW_TRIGGERS_JOB}:${shop}`, name: FLOW_TRIGGERS_JOB, shopDomain: shop };
}

const gathering = new Set<string>();

/**
 * After a commit that recorded triggers: the shop's job runs soon (requests gathered for 250 ms).
 * Off, like the storefront's writes, with SUMMARY_SYNC_DELAY_MS=off (tests drive the jobs).
 */
export function requestFlowTriggers(shop: string): void {
  if (runtimeEnv.summarySyncDelayMs === null || gathering.has(shop)) return;
  gathering.add(shop);
  setTimeout(() => {
    gathering.delete(shop);
    // Without an offline session nothing can be sent; the sweep finds the shop once it installs.
    shopHasSession(shop)
      .then((installed) => (installed ? requestJob(db, flowTriggersJob(shop)) : undefined))
      .catch((error: unknown) => logger.warn({ err: error, shop }, "could not request the Flow triggers; the sweep will"));
  }, 250).unref();
}

export interface FlowSendResult {
  sent: number;
  refused: number;
  noSession: boolean;
  /** Throttled, or more left: run again after this long. */
  runAgainInMs: number | null;
}

type FlowAnswer = { flowTriggerReceive: { userErrors: { field: string[] | null; message: string }[] } | null };

function unsent(shop: string) {
  return db.flowEvent.findMany({ where: { shopDomain: shop, sentAt: null, failedAt: null }, orderBy: { id: "asc" }, take: BATCH });
}

/** The payload as sent: "Points earned" triggers carry the balance at the time of sending. */
async function payloadToSend(shop: string, trigger: string, stored: string): Promise<Record<string, unknown>> {
  const payload = JSON.parse(stored) as Record<string, unknown>;
  if (trigger !== FLOW_TRIGGERS.pointsEarned) return payload;
  const member = await db.member.findUnique({
    where: { shopDomain_customerId: { shopDomain: shop, customerId: BigInt(payload.customer_id as number) } },
    select: { balance: true },
  });
  return { ...payload, "Points balance": Number(member?.balance ?? 0) };
}

export async function sendFlowTriggers(shop: string, keepLease?: () => Promise<void>): Promise<FlowSendResult> {
  const result: FlowSendResult = { sent: 0, refused: 0, noSession: false, runAgainInMs: null };
  const graphql = await adminGraphqlFor(shop);
  if (!graphql) return { ...result, noSession: true };
  const events = await unsent(shop);
  for (let start = 0; start < events.length; start += SENDS_IN_FLIGHT) {
    await keepLease?.();
    const group = events.slice(start, start + SENDS_IN_FLIGHT);
    const answers = await Promise.allSettled(
      group.map(async (event) => adminRequest<FlowAnswer>(graphql, FLOW_TRIGGER_RECEIVE, { handle: event.trigger, payload: await payloadToSend(shop, event.trigger, event.payload) })),
    );
    const errorsOf = (answer: PromiseSettledResult<AdminAnswer<FlowAnswer>>) =>
      answer.status === "rejected" ? null : (answer.value.data.flowTriggerReceive?.userErrors ?? [{ field: null, message: "flowTriggerReceive answered without a result" }]);
    // What Shopify took is marked first, whatever happened to the others: never sent twice.
    const taken = group.filter((_, i) => errorsOf(answers[i])?.length === 0);
    if (taken.length > 0) await db.flowEvent.updateMany({ where: { id: { in: taken.map((event) => event.id) } }, data: { sentAt: new Date() } });
    result.sent += taken.length;

    let failure: unknown = null;
    let throttledMs: number | null = null;
    let retryRefused = false;
    let waitMs = 0;
    for (const [i, event] of group.entries()) {
      const answer = answers[i];
      if (answer.status === "rejected") {
        const error = answer.reason as unknown;
        if (error instanceof AdminRequestError && error.kind === "throttled") throttledMs = Math.max(throttledMs ?? 0, error.retryAfterMs ?? 1000);
        else failure ??= error;
        continue;
      }
      waitMs = Math.max(waitMs, answer.value.waitBeforeNextMs);
      const errors = errorsOf(answer)!;
      if (errors.length === 0) continue;
      const attempts = event.attempts + 1;
      const reason = errors.map((error) => error.message).join("; ").slice(0, 500);
      const gaveUp = attempts >= MAX_FLOW_ATTEMPTS;
      await db.flowEvent.update({ where: { id: event.id }, data: { attempts, lastError: reason, failedAt: gaveUp ? new Date() : null } });
      logger.warn({ shop, trigger: event.trigger, flowEvent: event.id, attempts, reason, gaveUp }, gaveUp ? "Shopify keeps refusing a Flow trigger; giving up on it" : "Shopify refused a Flow trigger");
      result.refused++;
      retryRefused ||= !gaveUp;
    }
    // Shopify down: the job is retried with backoff (what it took is marked above).
    if (failure !== null) throw failure;
    if (throttledMs !== null) return { ...result, runAgainInMs: throttledMs };
    // A refused trigger is tried again on a later run, not in a loop now.
    if (retryRefused) return { ...result, runAgainInMs: 60_000 };
    if (waitMs > MAX_INLINE_WAIT_MS) return { ...result, runAgainInMs: waitMs };
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  return events.length === BATCH ? { ...result, runAgainInMs: 0 } : result;
}

export const flowTriggerJobs: Record<string, JobHandler> = {
  [FLOW_TRIGGERS_JOB]: async ({ job, keepLease }) => {
    if (!job.shopDomain) return;
    const result = await sendFlowTriggers(job.shopDomain, keepLease);
    if (result.runAgainInMs !== null) return { runAgainInMs: result.runAgainInMs };
  },
  [FLOW_SWEEP.name]: async ({ db: database }) => {
    const shops = await database.flowEvent.findMany({ where: { sentAt: null, failedAt: null }, distinct: ["shopDomain"], select: { shopDomain: true }, take: 1000 });
    const installed = await database.session.findMany({ where: { shop: { in: shops.map((row) => row.shopDomain) }, isOnline: false }, select: { shop: true } });
    for (const { shop } of installed) await ensureJob(database, flowTriggersJob(shop));
  },
};
