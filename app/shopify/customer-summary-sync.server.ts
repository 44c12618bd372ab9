// Keeps each member's storefront summary metafield in step with their balance (and the shop's
// program metafield with its program, program-metafield.server.ts). Writes happen
// after the ledger commit and never block or fail a webhook: a change is written shortly after
// (batched per shop), and anything that failed (Shopify down, throttled, no session yet) stays
// marked in the database and is retried by a periodic sweep. Points are never at risk here.
import db from "~/db.server";
import { logger } from "~/logger.server";
import {
  markSummariesSynced,
  pendingSummaries,
  shopsWithPendingSummaries,
  type PendingSummary,
} from "~/loyalty/customer-summary.server";
import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./admin-graphql";
import { publishProgramIfChanged, type ProgramPublication } from "./program-metafield.server";
import {
  customerGid,
  METAFIELDS_PER_MUTATION,
  SET_METAFIELDS,
  SUMMARY_METAFIELD,
} from "./graphql/set-metafields";

const SWEEP_INTERVAL_MS = 60_000;
/** SUMMARY_SYNC_DELAY_MS=off stops automatic writes (tests drive them; an operator may too). */
const FLUSH_DELAY = process.env.SUMMARY_SYNC_DELAY_MS ?? "250";
/** Batches one flush may write before it yields to the next shop. */
const MAX_BATCHES_PER_FLUSH = 40;


const flushScheduled = new Set<string>();
let sweeper: NodeJS.Timeout | undefined;

/** After a balance change: write the shop's pending summaries soon, batched with others. */
export function requestSummarySync(shop: string): void {
  if (FLUSH_DELAY === "off") return;
  sweeper ??= setInterval(() => void sweepPendingSummaries(), SWEEP_INTERVAL_MS).unref();
  if (flushScheduled.has(shop)) return;
  flushScheduled.add(shop);
  setTimeout(() => {
    flushScheduled.delete(shop);
    syncCustomerSummaries(shop).catch((error) => logger.warn({ err: error, shop }, "customer summary sync failed; will retry"));
  }, Number(FLUSH_DELAY)).unref();
}

export interface SyncResult {
  /** Member summaries written. */
  written: number;
  program: ProgramPublication | "skipped";
  /** No offline session for the shop (not installed through OAuth yet, or uninstalled). */
  noSession: boolean;
  failed: boolean;
}

/** Writes every pending summary of the shop, stopping at the first failure (retried later). */
export async function syncCustomerSummaries(shop: string): Promise<SyncResult> {
  let graphql: AdminGraphql;
  try {
    graphql = (await unauthenticated.admin(shop)).admin.graphql;
  } catch (error) {
    if ((error as Error).name === "SessionNotFoundError" || /Could not find a session/.test(String(error))) {
      logger.debug({ shop }, "no offline session: customer summaries wait");
      return { written: 0, program: "skipped", noSession: true, failed: false };
    }
    throw error;
  }
  const program = await publishProgramIfChanged(shop, graphql);
  let written = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_FLUSH; batch++) {
    const pending = await pendingSummaries(db, shop, METAFIELDS_PER_MUTATION);
    if (pending.length === 0) break;
    const accepted = await writeSummaries(graphql, shop, pending);
    await markSummariesSynced(db, accepted);
    written += accepted.length;
    if (accepted.length < pending.length) return { written, program, noSession: false, failed: true };
  }
  return { written, program, noSession: false, failed: program === "failed" };
}

/** The summaries Shopify accepted (a userError on one metafield leaves the others written). */
async function writeSummaries(graphql: AdminGraphql, shop: string, pending: PendingSummary[]): Promise<PendingSummary[]> {
  const metafields = pending.map((member) => ({
    ownerId: customerGid(member.customerId),
    ...SUMMARY_METAFIELD,
    value: JSON.stringify(member.summary),
  }));
  let body: { data?: { metafieldsSet?: { userErrors: { field: string[] | null; message: string }[] } } };
  try {
    const response = await graphql(SET_METAFIELDS, { variables: { metafields } });
    body = await response.json();
  } catch (error) {
    logger.warn({ err: error, shop, members: pending.length }, "metafieldsSet failed; will retry");
    return [];
  }
  const userErrors = body.data?.metafieldsSet?.userErrors ?? [];
  if (!body.data?.metafieldsSet) {
    logger.warn({ shop, body }, "metafieldsSet answered without a result; will retry");
    return [];
  }
  if (userErrors.length === 0) return pending;
  logger.warn({ shop, userErrors }, "metafieldsSet refused some summaries; will retry");
  // userErrors name the input by index: ["metafields", "<i>", …].
  const refused = new Set(userErrors.map((error) => Number(error.field?.[1])).filter((index) => Number.isInteger(index)));
  return refused.size === 0 ? [] : pending.filter((_, index) => !refused.has(index));
}

/** The periodic retry: every shop with pending summaries, one after the other. */
export async function sweepPendingSummaries(): Promise<void> {
  for (const shop of await shopsWithPendingSummaries(db)) {
    await syncCustomerSummaries(shop).catch((error) => logger.warn({ err: error, shop }, "customer summary sweep failed"));
  }
}
