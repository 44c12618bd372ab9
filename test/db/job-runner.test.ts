// The durable job runner: each job once across processes, retried with backoff, run again when
// asked for while running, and finished by another process when the one running it is killed.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { requestJob, type JobRequest } from "~/jobs/job-store.server";
import { shopRedactionJob } from "~/jobs/privacy-jobs.server";
import { JobRunner, type JobHandler } from "~/jobs/runner.server";
import { REDACT_CHUNK_ROWS } from "~/loyalty/privacy.server";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { testJobRunner } from "../support/jobs";
import { deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const job = (key: string): JobRequest => ({ key, name: "count" });
const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  await db.job.deleteMany({});
});

function runnerWith(handler: JobHandler, owner: string, leaseMs = 5_000) {
  const runner = new JobRunner(db, { count: handler }, { leaseMs, pollMs: 10, concurrency: 4, owner });
  runners.push(runner);
  return runner;
}

describe("job runner", () => {
  it("runs each job once, however many processes poll for it at once", async () => {
    const runs = new Map<string, number>();
    const handler: JobHandler = async ({ job: claimed }) => {
      runs.set(claimed.key, (runs.get(claimed.key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    for (let i = 0; i < 20; i++) await requestJob(db, job(`count:${i}`));
    const [a, b, c] = ["a", "b", "c"].map((owner) => runnerWith(handler, owner));
    for (let round = 0; round < 10; round++) await Promise.all([a.runDueJobs(), b.runDueJobs(), c.runDueJobs()]);
    expect([...runs.values()]).toEqual(Array(20).fill(1));
    expect(await db.job.count()).toBe(0);
  });

  it("retries a failed job with growing backoff, keeping the error", async () => {
    let calls = 0;
    const runner = runnerWith(async () => {
      calls++;
      throw new Error("Shopify is down");
    }, "a");
    await requestJob(db, job("count:failing"));
    await runner.runDueJobs();
    const first = await db.job.findUniqueOrThrow({ where: { key: "count:failing" } });
    expect(first).toMatchObject({ attempts: 1, lastError: "Shopify is down", leaseOwner: null });
    const firstWait = Number(first.runAt) - Date.now();
    expect(firstWait).toBeGreaterThan(500);
    // Not due yet: nothing runs.
    expect(await runner.runDueJobs()).toBe(0);
    await db.job.update({ where: { key: "count:failing" }, data: { runAt: BigInt(Date.now()) } });
    await runner.runDueJobs();
    const second = await db.job.findUniqueOrThrow({ where: { key: "count:failing" } });
    expect(second.attempts).toBe(2);
    expect(Number(second.runAt) - Date.now()).toBeGreaterThan(firstWait);
    expect(calls).toBe(2);
  });

  it("runs a job once more when it is asked for while it runs", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const runner = runnerWith(async () => {
      runs++;
      if (runs === 1) await gate;
    }, "a");
    await requestJob(db, job("count:again"));
    const first = runner.runDueJobs();
    await vi.waitFor(() => expect(runs).toBe(1));
    await requestJob(db, job("count:again")); // e.g. a balance changed after the sync read it
    release();
    await first;
    expect(await db.job.count({ where: { key: "count:again" } })).toBe(1);
    await runner.runDueJobs();
    expect(runs).toBe(2);
    expect(await db.job.count()).toBe(0);
  });

  it("starts a waiting job as soon as this process asks for it, without waiting for the next poll", async () => {
    let runs = 0;
    const runner = new JobRunner(db, { count: async () => void runs++ }, { leaseMs: 5_000, pollMs: 3_600_000, concurrency: 1, owner: "a" });
    runners.push(runner);
    runner.start();
    await requestJob(db, job("count:woken"));
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 5_000 });
  });

  it("loses no work when the process running a job is killed: another takes it over once the lease runs out", async () => {
    const shop = "killed-midway.myshopify.com";
    const other = "kept.myshopify.com";
    await deliverWebhook("orders/paid", orderPayload({ id: 9_900_001, customer: { id: 9_910_001 }, lines: [{ price: "10.00" }] }), { shop: other });
    await deliverWebhook("orders/paid", orderPayload({ id: 9_900_002, customer: { id: 9_910_002 }, lines: [{ price: "10.00" }] }), { shop });
    // Enough rows for several chunks.
    const members = 3 * REDACT_CHUNK_ROWS + 500;
    await db.member.createMany({
      data: Array.from({ length: members }, (_, i) => ({ shopDomain: shop, customerId: BigInt(1_000_000 + i), referralCode: `K${i}`, balance: 5n })),
    });
    const created = await db.member.findMany({ where: { shopDomain: shop }, select: { id: true } });
    await db.ledgerEntry.createMany({
      data: created.map(({ id }) => ({ shopDomain: shop, memberId: id, delta: 5n, kind: "earn", sourceType: "order", sourceId: String(id), actor: "test", idempotencyKey: `seed:${id}` })),
    });
    await requestJob(db, shopRedactionJob(shop));

    const leaseMs = 1_500;
    const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "test/support/job-worker-process.ts")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, JOB_LEASE_MS: String(leaseMs), CHUNKS_BEFORE_STALLING: "3" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await vi.waitFor(() => expect(output).toContain("midway"), { timeout: 20_000, interval: 50 });
    child.kill("SIGKILL");
    await exited;

    // Killed mid-job: part of the shop is gone, the job is still there, held by the dead process.
    const held = await db.job.findUniqueOrThrow({ where: { key: shopRedactionJob(shop).key } });
    expect(held.leaseOwner).toBe("child-process");
    const left = await db.ledgerEntry.count({ where: { shopDomain: shop } });
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(members + 1);

    // Another process cannot take it while the lease holds, and does once it has run out.
    const survivor = testJobRunner(db, "survivor");
    await vi.waitFor(async () => expect(await survivor.runDueJobs()).toBe(1), { timeout: 10_000, interval: 100 });
    expect(await db.shop.count({ where: { domain: shop } })).toBe(0);
    for (const table of [db.member, db.ledgerEntry, db.orderSnapshot] as unknown as { count(args: object): Promise<number> }[]) {
      expect(await table.count({ where: { shopDomain: shop } })).toBe(0);
    }
    expect(await db.job.count({ where: { shopDomain: shop } })).toBe(0);
    expect(await db.member.count({ where: { shopDomain: other } })).toBe(1);
  });
});
