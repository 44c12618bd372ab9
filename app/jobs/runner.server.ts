// The job runner every server process starts (app/jobs/background.server.ts). Each polls the
// Job table, claims due jobs with a lease, renews the lease while a job runs, and records the
// outcome. A job thus runs in one process at a time across every worker and server; a process
// killed mid-job stops renewing its lease and another takes the job over once it runs out, so
// work is never lost. A job may therefore run more than once (at-least-once): every handler is
// idempotent (it reads what is left to do from the database and does that).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import { observeJobRun } from "~/observability/metrics.server";
import { claimDueJobs, claimJob, failJob, finishJob, onJobRequested, renewLease, requestJob, type ClaimedJob, type JobRequest } from "./job-store.server";

export interface JobContext {
  db: Db;
  job: ClaimedJob;
  /** Aborted when the lease was lost (another process may be running the job now): stop writing. */
  signal: AbortSignal;
  /** Extends the lease now and throws if it was lost; long jobs call it between steps. */
  keepLease(): Promise<void>;
}

/** What a run asks for besides "done": run again later (Shopify asked to wait, or more work is left). */
export type JobOutcome = void | { runAgainInMs: number };

export type JobHandler = (context: JobContext) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  /** How long a claim holds without renewal; a killed process's jobs wait this long at most. */
  leaseMs: number;
  /** How often the table is polled when nothing wakes the runner. */
  pollMs: number;
  /** Jobs one process runs at once. */
  concurrency: number;
  /** Identifies the process in the lease (host:pid:random). */
  owner?: string;
}

export class LeaseLostError extends Error {
  constructor(key: string) {
    super(`lost the lease on job ${key}`);
  }
}

/** Backoff after the n-th consecutive failure: 1 s, 2 s, 4 s … capped at one hour, with jitter. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(1000 * 2 ** Math.min(attempts, 12), 3_600_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export class JobRunner {
  readonly owner: string;
  private running = false;
  private active = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  /** A wake-up that came while the loop was busy claiming: it polls again instead of sleeping. */
  private woken = false;
  private stopListening: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly options: JobRunnerOptions,
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopListening = onJobRequested(() => this.wake());
    this.loop = this.poll();
  }

  /** Stops claiming; waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.wake();
    await this.loop;
    await Promise.all(this.active);
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Claims and runs what is due now, once; resolves when those runs are over. For tests and scripts. */
  async runDueJobs(): Promise<number> {
    const jobs = await claimDueJobs(this.db, this.owner, this.options.leaseMs, this.options.concurrency);
    await Promise.all(jobs.map((job) => this.run(job)));
    return jobs.length;
  }

  /**
   * Requests the job and runs it here if nobody else holds it; "busy" when another process does
   * (the request makes that process run it once more when it is done).
   */
  async runNow(request: JobRequest): Promise<"ran" | "busy"> {
    await requestJob(this.db, { ...request, runAt: Date.now() });
    return this.runIfFree(request.key);
  }

  /** Runs a job already asked for here and now, unless another process holds it ("busy"). */
  async runIfFree(key: string): Promise<"ran" | "busy"> {
    const job = await claimJob(this.db, key, this.owner, this.options.leaseMs);
    if (!job) return "busy";
    await this.run(job);
    return "ran";
  }

  private async poll(): Promise<void> {
    while (this.running) {
      this.woken = false;
      const free = this.options.concurrency - this.active.size;
      if (free > 0) {
        try {
          const jobs = await claimDueJobs(this.db, this.owner, this.options.leaseMs, free);
          for (const job of jobs) this.track(this.run(job));
          if (jobs.length === free) continue; // there may be more due
        } catch (error) {
          logger.warn({ err: error }, "could not claim jobs; will poll again");
        }
      }
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, this.options.pollMs);
        this.timer.unref();
      });
      clearTimeout(this.timer);
      this.wakeUp = undefined;
    }
  }

  private track(run: Promise<void>): void {
    this.active.add(run);
    void run.finally(() => {
      this.active.delete(run);
      this.wake();
    });
  }

  private async run(job: ClaimedJob): Promise<void> {
    const handler = this.handlers[job.name];
    const log = logger.child({ job: job.key, attempt: job.attempts + 1 });
    const controller = new AbortController();
    const keepLease = async () => {
      if (!(await renewLease(this.db, job, this.options.leaseMs))) {
        controller.abort(new LeaseLostError(job.key));
        throw new LeaseLostError(job.key);
      }
    };
    const renewal = setInterval(() => keepLease().catch(() => undefined), Math.max(50, this.options.leaseMs / 3));
    renewal.unref();
    const started = Date.now();
    try {
      if (!handler) throw new Error(`no handler for job "${job.name}"`);
      const outcome = await handler({ db: this.db, job, signal: controller.signal, keepLease });
      clearInterval(renewal);
      await finishJob(this.db, job, outcome ? { runAgainAt: Date.now() + outcome.runAgainInMs } : {});
      observeJobRun(job.name, "done", (Date.now() - started) / 1000);
      log.debug({ ms: Date.now() - started }, "job done");
    } catch (error) {
      clearInterval(renewal);
      if (error instanceof LeaseLostError || controller.signal.aborted) {
        observeJobRun(job.name, "lease_lost", (Date.now() - started) / 1000);
        log.warn("job lost its lease; the process holding it now finishes it");
        return;
      }
      const delay = retryDelayMs(job.attempts);
      observeJobRun(job.name, "failed", (Date.now() - started) / 1000);
      log.warn({ err: error, retryInMs: delay }, "job failed; will retry");
      await failJob(this.db, job, error, delay).catch((failure: unknown) => log.error({ err: failure }, "could not record the job's failure"));
    }
  }
}
