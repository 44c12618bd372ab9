// Every variable the server reads is parsed at start; a bad value stops it with a message that
// names the variable, and the PostgreSQL connection budget is kept.
import { describe, expect, it } from "vitest";
import { parseRuntimeEnvironment } from "~/runtime-env.server";

const postgres = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/tally" };

describe("runtime environment", () => {
  it("has working defaults: embedded SQLite, one worker per CPU, a 10 s shop cache", () => {
    const env = parseRuntimeEnvironment({});
    expect(env.database.provider).toBe("sqlite");
    expect(env).toMatchObject({ shopCacheTtlMs: 10_000, summarySyncDelayMs: 250, port: 3000, jobs: { pollMs: 1000, leaseMs: 30_000 } });
    expect(env.workers).toBeGreaterThan(0);
  });

  it.each([
    ["LOG_LEVEL", "loud"],
    ["SHOP_CACHE_TTL_MS", "ten"],
    ["SHOP_CACHE_TTL_MS", "-5"],
    ["SUMMARY_SYNC_DELAY_MS", "soon"],
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "1.5"],
    ["WEB_CONCURRENCY", "lots"],
    ["WEB_CONCURRENCY", "0"],
    ["DATABASE_URL", "mysql://localhost/tally"],
    ["PORT", "70000"],
    ["JOB_LEASE_MS", "5"],
  ])("stops on %s=%s with a message naming it", (name, value) => {
    expect(() => parseRuntimeEnvironment({ [name]: value })).toThrow(new RegExp(`^Tally cannot start[\\s\\S]*\\n  ${name} `));
  });

  it("sends Server-Timing only with SERVER_TIMING=on", () => {
    expect(parseRuntimeEnvironment({}).serverTiming).toBe(false);
    expect(parseRuntimeEnvironment({ SERVER_TIMING: "on" }).serverTiming).toBe(true);
    expect(() => parseRuntimeEnvironment({ SERVER_TIMING: "yes" })).toThrow(/\n {2}SERVER_TIMING must be "on" or "off"/);
  });

  it("reads SUMMARY_SYNC_DELAY_MS=off as no automatic storefront writes", () => {
    expect(parseRuntimeEnvironment({ SUMMARY_SYNC_DELAY_MS: "off" }).summarySyncDelayMs).toBeNull();
  });

  it("sizes the PostgreSQL pools so that every worker's connections fit under max_connections (100 by default)", () => {
    for (const workers of [1, 2, 4, 8, 16, 32]) {
      const env = parseRuntimeEnvironment({ ...postgres, WEB_CONCURRENCY: String(workers) });
      expect(workers * 2 * env.poolSize).toBeLessThanOrEqual(90);
      expect(env.poolSize).toBeGreaterThanOrEqual(1);
    }
    expect(parseRuntimeEnvironment({ ...postgres, WEB_CONCURRENCY: "2" }).poolSize).toBe(10);
  });

  it("refuses a pool size that would open more connections than PostgreSQL allows", () => {
    expect(() => parseRuntimeEnvironment({ ...postgres, WEB_CONCURRENCY: "8", DATABASE_POOL_SIZE: "10" })).toThrow(
      /DATABASE_POOL_SIZE 8 workers × 2 pools × 10 connections = 160 PostgreSQL connections, more than DATABASE_MAX_CONNECTIONS \(100\)/,
    );
    expect(() => parseRuntimeEnvironment({ ...postgres, WEB_CONCURRENCY: "64" })).toThrow(/WEB_CONCURRENCY 64 workers/);
    // A server configured for more connections may say so.
    expect(parseRuntimeEnvironment({ ...postgres, WEB_CONCURRENCY: "8", DATABASE_POOL_SIZE: "10", DATABASE_MAX_CONNECTIONS: "500" }).poolSize).toBe(10);
    // SQLite has no connection limit to keep.
    expect(parseRuntimeEnvironment({ WEB_CONCURRENCY: "8", DATABASE_POOL_SIZE: "10" }).poolSize).toBe(10);
  });
});
