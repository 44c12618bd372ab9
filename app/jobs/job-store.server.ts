// The durable side of background work: the Job table (prisma/schema.prisma). Every change is
// one conditional statement, so that any number of processes on any number of servers can
// request, claim and finish jobs at once without a lock service: a job is claimed by whoever's
// conditional update matches, and a lease that stops being renewed (the process died) lets
// another process take it over.
import { EventEmitter } from "node:events";
import type { Db } from "~/db.server";
// Both generated clients share Prisma's runtime, so a fragment built with either fits both.
import { Prisma } from "../../prisma/generated/sqlite/client";

export interface JobRequest {
  /** What identifies the job: one waiting or running job per key. */
  key: string;
  /** The handler that runs it. */
  name: string;
  shopDomain?: string | null;
  /** Run no earlier than this (epoch ms); default now. */
  runAt?: number;
}

export interface RecurringJob {
  key: string;
  name: string;
  everyMs: number;
}

export interface ClaimedJob {
  key: string;
  name: string;
  shopDomain: string | null;
  everyMs: number | null;
  attempts: number;
  /** requestVersion when claimed: a request made after it makes the job run again. */
  requestVersion: number;
  leaseOwner: string;
}

const requests = new EventEmitter();

/** Calls `listener` after this process requests a job (the runner wakes up instead of waiting for its next poll). */
export function onJobRequested(listener: () => void): () => void {
  requests.on("requested", listener);
  return () => requests.off("requested", listener);
}

/**
 * Asks for a job. A job with this key that is waiting keeps one row, run at the earlier of the
 * two times; one that is running runs once more after it finishes (requestVersion).
 */
export async function requestJob(db: Db, job: JobRequest): Promise<void> {
  const runAt = BigInt(job.runAt ?? Date.now());
  await db.$executeRaw`
    INSERT INTO "Job" ("key", "name", "shopDomain", "runAt", "createdAt", "updatedAt")
    VALUES (${job.key}, ${job.name}, ${job.shopDomain ?? null}, ${runAt}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT ("key") DO UPDATE SET
      "runAt" = CASE WHEN excluded."runAt" < "Job"."runAt" THEN excluded."runAt" ELSE "Job"."runAt" END,
      "requestVersion" = "Job"."requestVersion" + 1,
      "updatedAt" = CURRENT_TIMESTAMP`;
  requests.emit("requested");
}

/** Asks for a job unless one with its key is already waiting or running (which keeps its time). */
export async function ensureJob(db: Db, job: JobRequest): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "Job" ("key", "name", "shopDomain", "runAt", "createdAt", "updatedAt")
    VALUES (${job.key}, ${job.name}, ${job.shopDomain ?? null}, ${BigInt(job.runAt ?? Date.now())}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT ("key") DO NOTHING`;
  requests.emit("requested");
}

/** Makes sure a recurring job exists; an existing one keeps its schedule. */
export async function ensureRecurringJob(db: Db, job: RecurringJob, now = Date.now()): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "Job" ("key", "name", "everyMs", "runAt", "createdAt", "updatedAt")
    VALUES (${job.key}, ${job.name}, ${BigInt(job.everyMs)}, ${BigInt(now)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
    ON CONFLICT ("key") DO UPDATE SET "everyMs" = excluded."everyMs", "name" = excluded."name"`;
}

// The runner's own statements (its poll, claims, lease renewals and finishes) are plain SQL:
// a background job runs several of them, and Prisma compiles each query-builder call afresh,
// about 0.5 ms of CPU more a statement than the same statement sent raw (README, "Architecture").

/** Due, and held by nobody (or by a process whose lease ran out). */
function claimableAt(at: bigint) {
  return Prisma.sql`"runAt" <= ${at} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${at})`;
}

/** Claims up to `limit` due jobs for `owner`, oldest first. */
export async function claimDueJobs(db: Db, owner: string, leaseMs: number, limit: number, now = Date.now()): Promise<ClaimedJob[]> {
  const at = BigInt(now);
  const due = await db.$queryRaw<{ key: string }[]>`
    SELECT "key" FROM "Job" WHERE ${claimableAt(at)}
    ORDER BY "runAt" ASC LIMIT ${limit}`;
  const claimed: ClaimedJob[] = [];
  for (const { key } of due) {
    const job = await claimJob(db, key, owner, leaseMs, now);
    if (job) claimed.push(job);
  }
  return claimed;
}

interface ClaimedRow {
  name: string;
  shopDomain: string | null;
  everyMs: bigint | number | null;
  attempts: bigint | number;
  requestVersion: bigint | number;
}

/** Claims one job if it is due and nobody holds it; null otherwise. */
export async function claimJob(db: Db, key: string, owner: string, leaseMs: number, now = Date.now()): Promise<ClaimedJob | null> {
  const at = BigInt(now);
  // The row is read by the claim itself: a request that lands after it bumps the version past it.
  const [row] = await db.$queryRaw<ClaimedRow[]>`
    UPDATE "Job" SET "leaseOwner" = ${owner}, "leaseUntil" = ${at + BigInt(leaseMs)}, "updatedAt" = CURRENT_TIMESTAMP
    WHERE "key" = ${key} AND ${claimableAt(at)}
    RETURNING "name", "shopDomain", "everyMs", "attempts", "requestVersion"`;
  if (!row) return null;
  return {
    key,
    name: row.name,
    shopDomain: row.shopDomain,
    everyMs: row.everyMs === null ? null : Number(row.everyMs),
    attempts: Number(row.attempts),
    requestVersion: Number(row.requestVersion),
    leaseOwner: owner,
  };
}

/** Extends the lease; false when it was lost (expired and taken over by another process). */
export async function renewLease(db: Db, job: ClaimedJob, leaseMs: number, now = Date.now()): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "Job" SET "leaseUntil" = ${BigInt(now + leaseMs)}, "updatedAt" = CURRENT_TIMESTAMP
    WHERE "key" = ${job.key} AND "leaseOwner" = ${job.leaseOwner}`;
  return count === 1;
}

/**
 * The run succeeded. A one-off job is deleted unless it was requested again meanwhile (then it
 * is released to run again at the requested time); a recurring one is scheduled `everyMs` on.
 * `runAgainAt` keeps the job (more work left, or Shopify asked to wait).
 */
export async function finishJob(db: Db, job: ClaimedJob, { runAgainAt, now = Date.now() }: { runAgainAt?: number; now?: number } = {}): Promise<void> {
  const release = (runAt: bigint | null) => db.$executeRaw`
    UPDATE "Job" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "attempts" = 0, "lastError" = NULL,
      "runAt" = COALESCE(${runAt}, "runAt"), "updatedAt" = CURRENT_TIMESTAMP
    WHERE "key" = ${job.key} AND "leaseOwner" = ${job.leaseOwner}`;
  if (runAgainAt !== undefined) {
    await release(BigInt(runAgainAt));
    return;
  }
  if (job.everyMs !== null) {
    await release(BigInt(now + job.everyMs));
    return;
  }
  const deleted = await db.$executeRaw`
    DELETE FROM "Job" WHERE "key" = ${job.key} AND "leaseOwner" = ${job.leaseOwner} AND "requestVersion" = ${job.requestVersion}`;
  if (deleted === 0) await release(null);
}

/** The run failed: released, and tried again after `retryInMs`. */
export async function failJob(db: Db, job: ClaimedJob, error: unknown, retryInMs: number, now = Date.now()): Promise<void> {
  await db.job.updateMany({
    where: { key: job.key, leaseOwner: job.leaseOwner },
    data: {
      leaseOwner: null,
      leaseUntil: null,
      attempts: { increment: 1 },
      lastError: String((error as Error)?.message ?? error).slice(0, 2000),
      runAt: BigInt(now + retryInMs),
    },
  });
}

/** Drops the waiting jobs of a shop (it was deleted); a running one finishes on its own. */
export async function forgetShopJobs(db: Db, shopDomain: string, exceptKey?: string): Promise<void> {
  await db.job.deleteMany({ where: { shopDomain, leaseOwner: null, ...(exceptKey ? { key: { not: exceptKey } } : {}) } });
}
