// A server process's job runner in a child process, for the test that kills one mid-job
// (test/db/job-runner.test.ts). It runs the real shop-redaction job, announces "midway" on stdout
// after a few chunks and then stalls there (still renewing its lease), so that the test can
// SIGKILL it at a known point. DATABASE_URL and JOB_LEASE_MS come from the parent.
import type { JobHandler } from "~/jobs/runner.server";

const { default: db } = await import("~/db.server");
const { jobHandlers } = await import("~/jobs/background.server");
const { JobRunner } = await import("~/jobs/runner.server");
const { SHOP_REDACTION_JOB } = await import("~/jobs/privacy-jobs.server");
const { redactShop } = await import("~/loyalty/privacy.server");

const CHUNKS_BEFORE_STALLING = Number(process.env.CHUNKS_BEFORE_STALLING ?? 3);
let chunks = 0;
const stallingRedaction: JobHandler = async ({ db: database, job, keepLease }) => {
  await redactShop(database, job.shopDomain!, {
    beforeChunk: async () => {
      await keepLease();
      if (++chunks === CHUNKS_BEFORE_STALLING) {
        process.stdout.write("midway\n");
        await new Promise(() => undefined);
      }
    },
  });
};

const runner = new JobRunner(db, { ...jobHandlers, [SHOP_REDACTION_JOB]: stallingRedaction }, {
  leaseMs: Number(process.env.JOB_LEASE_MS ?? 1000),
  pollMs: 20,
  concurrency: 1,
  owner: "child-process",
});
runner.start();
process.stdout.write("started\n");
