// Writes each member's storefront summary metafield (and the shop's program metafield,
// program-metafield.server.ts) as background jobs: `customer-summaries:<shop>` writes what is
// pending for one shop, and the job runner runs it in one process at a time across workers and
// servers, so two writers never race and an older summary never lands over a newer one. The
// `summary-sweep` job (every minute, and at start) asks for the shops that still have pending
// members, so nothing waits for a new order after a restart. Points are never at risk here.
//
// metafieldsSet is atomic: one refused metafield (a customer deleted or merged in Shopify) and
// none of the 25 is written. So a member is marked synced only when the call that carried it
// succeeded; a member Shopify refuses is retried alone with exponential backoff and given up
// after MAX_SUMMARY_ATTEMPTS (kept on the member: summarySyncError), never holding up others.
//
// The same call carries each member's segment metafields (tally.balance, tally.pending,
// tally.tier: app/loyalty/tier-segments.ts), and before it a member whose tier differs from the
// tag Shopify last took (Member.segmentTierTag) gets tagsAdd/tagsRemove; tags are not sent again
// while the tier stays the same.
import db from "~/db.server";
import { sql } from "~/sql.server";
import { ensureJob } from "~/jobs/job-store.server";
import type { JobHandler } from "~/jobs/runner.server";
import { logger } from "~/logger.server";
import {
  markSummariesSynced,
  pendingSummaries,
  recordSummaryRefused,
  shopsWithPendingSummaries,
  type PendingSummary,
} from "~/loyalty/customer-summary.server";
import { blockShopSync } from "~/loyalty/shops.server";
import { adminGraphqlFor } from "./admin-client.server";
import type { AdminGraphql } from "./admin-graphql";
import { adminRequest, AdminRequestError } from "./admin-request.server";
import { customerGid, METAFIELDS_PER_MUTATION, SET_METAFIELDS, SUMMARY_METAFIELD } from "./graphql/set-metafields";
import { ADD_CUSTOMER_TAGS, REMOVE_CUSTOMER_TAGS, type CustomerTagsAnswer } from "./graphql/customer-tags";
import { DELETE_METAFIELDS, type DeleteMetafieldsAnswer } from "./graphql/delete-metafields";
import { SEGMENT_NAMESPACE, segmentMetafields, tierTag, tierTagChanges } from "~/loyalty/tier-segments";
import { publishProgramIfChanged, type ProgramPublication } from "./program-metafield.server";
import { CUSTOMER_SUMMARIES_JOB, customerSummariesJob } from "./summary-sync-request.server";

/** Calls one run makes before it hands the shop back (the job runs again at once if more is left). */
const MAX_BATCHES_PER_RUN = 40;
/** A throttle wait shorter than this is slept inline; a longer one reschedules the job. */
const MAX_INLINE_WAIT_MS = 2_000;

export const SUMMARY_SWEEP = { key: "summary-sweep", name: "summary-sweep", everyMs: 60_000 } as const;

/** Metafields per member: the summary, balance, pending and (with a tier) tier. */
const METAFIELDS_PER_MEMBER = 4;
/** Members per metafieldsSet call (25 metafields at most). */
export const MEMBERS_PER_MUTATION = Math.floor(METAFIELDS_PER_MUTATION / METAFIELDS_PER_MEMBER);

export interface SyncResult {
  /** Member summaries Shopify wrote. */
  written: number;
  /** Members Shopify refused in this run (each retried alone later, with backoff). */
  refused: number;
  program: ProgramPublication | "skipped";
  /** No offline session for the shop (not installed through OAuth yet, or uninstalled). */
  noSession: boolean;
  /** Shopify failed or could not be reached: the job is retried with backoff. */
  failed: boolean;
  /** Shopify refused the shop's token (401/403): nothing more is sent until it installs again. */
  blocked: boolean;
  /** Shopify asked to wait (throttled), or more members are left: run again after this long. */
  runAgainInMs: number | null;
}

interface SyncOptions {
  /** Renews the job's lease; throws when it was lost, so that no write happens without it. */
  keepLease?: () => Promise<void>;
}

/** Writes the shop's pending storefront metafields. Run it through the job runner (one writer per shop). */
export async function syncCustomerSummaries(shop: string, { keepLease }: SyncOptions = {}): Promise<SyncResult> {
  const result: SyncResult = { written: 0, refused: 0, program: "skipped", noSession: false, failed: false, blocked: false, runAgainInMs: null };
  const graphql = await adminGraphqlFor(shop);
  if (!graphql) {
    logger.debug({ shop }, "no offline session: storefront metafields wait for the install");
    return { ...result, noSession: true };
  }
  try {
    await keepLease?.();
    result.program = await publishProgramIfChanged(shop, graphql);
    result.failed = result.program === "failed";
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const pending = await pendingSummaries(db, shop, MEMBERS_PER_MUTATION);
      if (pending.length === 0) return result;
      const written = await writeSummaries(graphql, shop, pending, keepLease);
      result.written += written.written;
      result.refused += written.refused;
      if (!(await waitForBucket(written.waitMs))) return { ...result, runAgainInMs: written.waitMs };
    }
    return { ...result, runAgainInMs: 0 };
  } catch (error) {
    if (!(error instanceof AdminRequestError)) throw error;
    const log = logger.child({ shop });
    if (error.kind === "unauthorized") {
      log.warn({ reason: error.message }, "Shopify refused the shop's token; storefront sync stops until the shop installs again");
      await blockShopSync(db, shop);
      return { ...result, blocked: true };
    }
    if (error.kind === "throttled") {
      log.info({ retryAfterMs: error.retryAfterMs }, "Shopify is throttling the shop; the storefront sync waits");
      return { ...result, runAgainInMs: error.retryAfterMs };
    }
    log.warn({ reason: error.message }, "metafieldsSet failed; will retry");
    return { ...result, failed: true };
  }
}

/** Sleeps until Shopify's bucket holds the next call; false (no sleep) when that is too long to wait inline. */
async function waitForBucket(waitMs: number): Promise<boolean> {
  if (waitMs > MAX_INLINE_WAIT_MS) return false;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  return true;
}

interface WriteOutcome {
  written: number;
  refused: number;
  /** What the bucket needs before the next call. */
  waitMs: number;
}

type SetMetafieldsAnswer = {
  metafieldsSet: { userErrors: { field: string[] | null; message: string; code: string | null; elementIndex?: number | null }[] } | null;
};

/**
 * Writes the members' summaries: those refused before one at a time, the others together; when
 * Shopify refuses some of a batch (and so writes none), the ones it named are recorded as
 * refused and the rest are sent again without them.
 */
async function writeSummaries(graphql: AdminGraphql, shop: string, pending: PendingSummary[], keepLease?: () => Promise<void>): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { written: 0, refused: 0, waitMs: 0 };
  const groups = [pending.filter((member) => member.attempts === 0), ...pending.filter((member) => member.attempts > 0).map((member) => [member])];
  while (groups.length > 0) {
    const group = groups.shift()!;
    if (group.length === 0) continue;
    // A long wait ends the run: the members left stay pending and the job is rescheduled.
    if (!(await waitForBucket(outcome.waitMs))) return outcome;
    await keepLease?.();
    outcome.waitMs = Math.max(outcome.waitMs, await syncTierTags(graphql, shop, group, keepLease));
    if (!(await waitForBucket(outcome.waitMs))) return outcome;
    // Which member each metafield is of: Shopify names a refused one by its index.
    const memberOfMetafield: number[] = [];
    const metafields = group.flatMap((member, index) => {
      const ownerId = customerGid(member.customerId);
      const fields = [
        { ownerId, ...SUMMARY_METAFIELD, value: JSON.stringify(member.summary) },
        ...segmentMetafields({ balance: member.summary.balance, pendingBalance: member.summary.pendingBalance, tierName: member.summary.tier?.name ?? null }).map((field) => ({ ownerId, ...field })),
      ];
      memberOfMetafield.push(...fields.map(() => index));
      return fields;
    });
    const { data, waitBeforeNextMs } = await adminRequest<SetMetafieldsAnswer>(graphql, SET_METAFIELDS, { metafields });
    outcome.waitMs = waitBeforeNextMs;
    if (!data.metafieldsSet) throw new AdminRequestError("unavailable", "metafieldsSet answered without a result");
    const { userErrors } = data.metafieldsSet;
    if (userErrors.length === 0) {
      await markSummariesSynced(sql(), group);
      outcome.written += group.length;
      continue;
    }
    const refusedAt = new Map<number, string>();
    for (const error of userErrors) {
      const index = memberOfMetafield[error.elementIndex ?? Number(error.field?.[1])];
      const reason = `${error.code ?? "ERROR"}: ${error.message}`;
      // One reason once per member, however many of their metafields it refused.
      if (index !== undefined && group[index] && !refusedAt.get(index)?.split("; ").includes(reason)) {
        refusedAt.set(index, [refusedAt.get(index), reason].filter(Boolean).join("; "));
      }
    }
    if (group.length > 1 && refusedAt.size === 0) {
      // Refused without saying which: find out one by one.
      groups.push(...group.map((member) => [member]));
      continue;
    }
    const reasonFor = (index: number) => refusedAt.get(index) ?? userErrors.map((error) => error.message).join("; ");
    for (const [index, member] of group.entries()) {
      if (group.length > 1 && !refusedAt.has(index)) continue;
      const gaveUp = await recordSummaryRefused(db, member, reasonFor(index));
      outcome.refused++;
      logger.warn(
        { shop, customerId: String(member.customerId), attempt: member.attempts + 1, reason: reasonFor(index), gaveUp },
        gaveUp ? "Shopify keeps refusing the member's summary; giving up on this version" : "Shopify refused the member's summary; retrying it alone later",
      );
    }
    if (group.length > 1) groups.push(group.filter((_, index) => !refusedAt.has(index)));
  }
  return outcome;
}

/**
 * Tags the group's members whose tier differs from the tag Shopify last took: the new tier's tag
 * added, every other Tally tier tag removed (all of them when the member holds none, and the
 * tally.tier metafield deleted), and the tag recorded once Shopify took it. A member Shopify
 * refuses keeps the old record, so the next sync of their summary tries again; Shopify failing
 * throws, and the job is retried. Returns what the bucket needs before the next call.
 */
async function syncTierTags(graphql: AdminGraphql, shop: string, group: PendingSummary[], keepLease?: () => Promise<void>): Promise<number> {
  // The stored tags and the shop's tiers come with the pending summaries (read this run; only this
  // job, one run per shop at a time, writes segmentTierTag), not read again per group.
  const shopTierTags = (group[0]?.shopTierNames ?? []).map(tierTag);
  let waitMs = 0;
  for (const member of group) {
    const synced = member.syncedTierTag;
    const wanted = member.summary.tier ? tierTag(member.summary.tier.name) : null;
    const changes = tierTagChanges(wanted, synced, shopTierTags);
    if (!changes) continue;
    const id = customerGid(member.customerId);
    const errors: string[] = [];
    const send = async <T>(document: string, variables: Record<string, unknown>, userErrorsOf: (data: T) => { message: string }[] | undefined) => {
      if (!(await waitForBucket(waitMs))) throw new AdminRequestError("throttled", "waiting for Shopify's bucket", waitMs);
      await keepLease?.();
      const { data, waitBeforeNextMs } = await adminRequest<T>(graphql, document, variables);
      waitMs = waitBeforeNextMs;
      errors.push(...(userErrorsOf(data) ?? []).map((error) => error.message));
    };
    if (changes.add.length > 0) await send<CustomerTagsAnswer>(ADD_CUSTOMER_TAGS, { id, tags: changes.add }, (data) => data.tagsAdd?.userErrors);
    if (changes.remove.length > 0) await send<CustomerTagsAnswer>(REMOVE_CUSTOMER_TAGS, { id, tags: changes.remove }, (data) => data.tagsRemove?.userErrors);
    if (wanted === null) {
      await send<DeleteMetafieldsAnswer>(DELETE_METAFIELDS, { metafields: [{ ownerId: id, namespace: SEGMENT_NAMESPACE, key: "tier" }] }, (data) => data.metafieldsDelete?.userErrors);
    }
    if (errors.length > 0) {
      logger.warn({ shop, customerId: String(member.customerId), reason: errors.join("; ") }, "Shopify refused the member's tier tag; tried again with their next summary");
      continue;
    }
    await db.member.updateMany({ where: { id: member.memberId }, data: { segmentTierTag: wanted } });
    // Sent again alone later in this run (a refused batch), the member is not tagged twice.
    member.syncedTierTag = wanted;
  }
  return waitMs;
}

/** The job handlers of the storefront sync. */
export const storefrontSyncJobs: Record<string, JobHandler> = {
  [CUSTOMER_SUMMARIES_JOB]: async ({ job, keepLease }) => {
    if (!job.shopDomain) return;
    const result = await syncCustomerSummaries(job.shopDomain, { keepLease });
    if (result.runAgainInMs !== null) return { runAgainInMs: result.runAgainInMs };
    // Shopify failed: the runner retries the job with backoff.
    if (result.failed) throw new Error("Shopify did not take the storefront metafields");
  },
  [SUMMARY_SWEEP.name]: async ({ db: database }) => {
    // A shop whose job is already waiting (a backoff, a throttle) keeps its time.
    for (const shop of await shopsWithPendingSummaries(database)) await ensureJob(database, customerSummariesJob(shop));
  },
};
