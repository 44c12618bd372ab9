// The background work of a server process: every handler the job runner knows, the recurring
// jobs, and the one runner per process. server.js starts it in every worker when the server
// starts (and the development server when it loads the app); the Job table's leases make each
// job run in one process at a time, however many workers and servers there are.
import db from "~/db.server";
import { logger } from "~/logger.server";
import { runtimeEnv } from "~/runtime-env.server";
import { BACKSTOP_PAGES, startSqliteCheckpoints, type SqliteCheckpoints } from "~/sqlite-checkpoints.server";
import { sql } from "~/sql.server";
import { storefrontSyncJobs, SUMMARY_SWEEP } from "~/shopify/customer-summary-sync.server";
import { FLOW_SWEEP, flowTriggerJobs } from "~/shopify/flow-triggers.server";
import { RECONCILE_SWEEP, reconcileJobs } from "~/shopify/reconcile-jobs.server";
import { REDEMPTION_SWEEP, redemptionJobs } from "~/shopify/redemption-jobs.server";
import { WEBHOOK_EVENTS_PRUNING, webhookEventJobs } from "~/shopify/webhook-events.server";
import { ensureRecurringJob } from "./job-store.server";
import { BIRTHDAY_BONUSES, birthdayJobs } from "./birthday-jobs.server";
import { LEDGER_DAYS, ledgerDaysJobs } from "./ledger-days-jobs.server";
import { memberImportJobs } from "./member-import-jobs.server";
import { POINTS_EXPIRY, expiryJobs } from "./expiry-jobs.server";
import { PENDING_RELEASE, pendingJobs } from "./pending-jobs.server";
import { privacyJobs } from "./privacy-jobs.server";
import { REFERRAL_SWEEP, referralJobs } from "./referral-jobs.server";
import { TIER_PERIOD_REFRESH, TIER_SWEEP, tierJobs } from "./tier-jobs.server";
import { JobRunner, type JobHandler } from "./runner.server";

export const jobHandlers: Readonly<Record<string, JobHandler>> = {
  ...storefrontSyncJobs,
  ...privacyJobs,
  ...webhookEventJobs,
  ...redemptionJobs,
  ...referralJobs,
  ...birthdayJobs,
  ...tierJobs,
  ...reconcileJobs,
  ...pendingJobs,
  ...flowTriggerJobs,
  ...expiryJobs,
  ...memberImportJobs,
  ...ledgerDaysJobs,
};

/** Run at start, then every `everyMs` (by whichever process claims them). */
export const recurringJobs = [SUMMARY_SWEEP, WEBHOOK_EVENTS_PRUNING, REDEMPTION_SWEEP, REFERRAL_SWEEP, BIRTHDAY_BONUSES, TIER_SWEEP, TIER_PERIOD_REFRESH, RECONCILE_SWEEP, PENDING_RELEASE, FLOW_SWEEP, POINTS_EXPIRY, LEDGER_DAYS];

declare global {
  var tallyJobRunner: JobRunner | undefined;
  var tallyCheckpoints: SqliteCheckpoints | undefined;
}

/** This process's runner (kept across development reloads). */
export function jobRunner(): JobRunner {
  globalThis.tallyJobRunner ??= new JobRunner(db, jobHandlers, runtimeEnv.jobs);
  return globalThis.tallyJobRunner;
}

export async function startBackgroundJobs(): Promise<void> {
  startCheckpoints();
  jobRunner().start();
  logger.debug({ owner: jobRunner().owner }, "job runner started");
  // Another process may be adding them too (the insert is idempotent); should the database be
  // unreachable now, the next process start adds them.
  for (const job of recurringJobs) {
    await ensureRecurringJob(db, job).catch((error: unknown) => logger.warn({ err: error, job: job.key }, "could not schedule a recurring job"));
  }
}

export async function stopBackgroundJobs(): Promise<void> {
  await globalThis.tallyJobRunner?.stop();
  await globalThis.tallyCheckpoints?.stop();
  globalThis.tallyCheckpoints = undefined;
}

/**
 * On SQLite, the write-ahead log is checkpointed from a worker thread, and this process's
 * connections (the driver's and Prisma's) checkpoint only as a backstop (app/sqlite-checkpoints.server.ts).
 */
function startCheckpoints(): void {
  const target = runtimeEnv.database;
  if (target.provider !== "sqlite" || target.filePath === ":memory:" || globalThis.tallyCheckpoints) return;
  globalThis.tallyCheckpoints = startSqliteCheckpoints(target.filePath, (message) => logger.warn({ message }, "SQLite checkpoint failed"));
  const connection = sql();
  if (connection.provider === "sqlite") connection.database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  db.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`).catch((error: unknown) => logger.warn({ err: error }, "could not set Prisma's SQLite checkpoint backstop"));
}
