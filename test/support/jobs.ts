// Runs the app's background jobs in the test process, as a server's job runner would.
import type { Db } from "~/db.server";
import { jobHandlers } from "~/jobs/background.server";
import { JobRunner } from "~/jobs/runner.server";

export function testJobRunner(db: Db, owner = "test-runner") {
  return new JobRunner(db, jobHandlers, { leaseMs: 5_000, pollMs: 20, concurrency: 4, owner });
}

/** Runs every due job, and what they make due, until nothing is left (at most `rounds` times). */
export async function runDueJobs(db: Db, rounds = 20): Promise<number> {
  const runner = testJobRunner(db);
  let ran = 0;
  for (let round = 0; round < rounds; round++) {
    const count = await runner.runDueJobs();
    if (count === 0) break;
    ran += count;
  }
  return ran;
}
