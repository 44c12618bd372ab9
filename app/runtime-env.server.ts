// How the process runs (database, pools, workers, logs, caches, background jobs), parsed once
// when first imported. Kept apart from the Shopify credentials (env.server.ts) so that scripts
// that only touch the database (`npm run setup`, benchmarks) need no app secrets; the server
// parses both at start (server.js imports the build, which imports both). A malformed value
// stops the process with a message naming the variable.
import { availableParallelism } from "node:os";
import { z } from "zod";
import { databaseTarget, type DatabaseTarget } from "./database-url";

/** PostgreSQL's default max_connections. */
const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;
/** Connections left for everything that is not a server worker: migrations, scripts, psql. */
const RESERVED_CONNECTIONS = 10;
/** Each worker opens two pools: Prisma's and the ledger's driver pool (app/sql.server.ts). */
export const POOLS_PER_WORKER = 2;
const MAX_POOL_SIZE = 10;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: (issue) => `must be a whole number, not "${String(issue.input)}"` })
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const runtimeSchema = z
  .object({
    NODE_ENV: z.enum(["production", "development", "test"]).optional(),
    DATABASE_URL: z
      .string()
      .optional()
      .transform((value, ctx) => {
        try {
          return databaseTarget(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^DATABASE_URL /, "") });
          return z.NEVER;
        }
      }),
    WEB_CONCURRENCY: integer(1, 64).optional(),
    DATABASE_POOL_SIZE: integer(1, 100).optional(),
    DATABASE_MAX_CONNECTIONS: integer(20, 100_000).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
    SHOP_CACHE_TTL_MS: integer(0, 3_600_000).optional(),
    SUMMARY_SYNC_DELAY_MS: z
      .union([z.literal("off"), integer(0, 3_600_000)], { error: 'must be "off" or a number of milliseconds' })
      .optional(),
    JOB_POLL_MS: integer(10, 3_600_000).optional(),
    JOB_LEASE_MS: integer(100, 3_600_000).optional(),
    JOB_CONCURRENCY: integer(1, 32).optional(),
    SHOPIFY_CALL_TIMEOUT_MS: integer(100, 120_000).optional(),
    SERVER_TIMING: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).optional(),
    METRICS_TOKEN: z.string().trim().min(16, "must be at least 16 characters (it guards GET /metrics)").optional(),
    PORT: integer(0, 65_535).optional(),
    HOST: z.string().min(1).optional(),
  })
  .transform((raw, ctx) => {
    const database: DatabaseTarget = raw.DATABASE_URL;
    const workers = raw.WEB_CONCURRENCY ?? availableParallelism();
    const maxConnections = raw.DATABASE_MAX_CONNECTIONS ?? POSTGRES_DEFAULT_MAX_CONNECTIONS;
    const budget = maxConnections - RESERVED_CONNECTIONS;
    const fittingPool = Math.floor(budget / (workers * POOLS_PER_WORKER));
    const poolSize = raw.DATABASE_POOL_SIZE ?? Math.max(1, Math.min(MAX_POOL_SIZE, fittingPool));
    if (database.provider === "postgresql" && workers * POOLS_PER_WORKER * poolSize > budget) {
      ctx.addIssue({
        code: "custom",
        path: [raw.DATABASE_POOL_SIZE === undefined ? "WEB_CONCURRENCY" : "DATABASE_POOL_SIZE"],
        message:
          `${workers} workers × ${POOLS_PER_WORKER} pools × ${poolSize} connections = ${workers * POOLS_PER_WORKER * poolSize} ` +
          `PostgreSQL connections, more than DATABASE_MAX_CONNECTIONS (${maxConnections}) less ${RESERVED_CONNECTIONS} kept for scripts; ` +
          "lower WEB_CONCURRENCY or DATABASE_POOL_SIZE, or raise DATABASE_MAX_CONNECTIONS to the server's max_connections",
      });
    }
    return {
      nodeEnv: raw.NODE_ENV ?? "development",
      database,
      workers,
      poolSize,
      maxConnections,
      logLevel: raw.LOG_LEVEL ?? (raw.NODE_ENV === "test" ? "silent" : "info"),
      shopCacheTtlMs: raw.SHOP_CACHE_TTL_MS ?? 10_000,
      /** null: automatic storefront writes are off (tests drive them; an operator may too). */
      summarySyncDelayMs: raw.SUMMARY_SYNC_DELAY_MS === "off" ? null : (raw.SUMMARY_SYNC_DELAY_MS ?? 250),
      jobs: { pollMs: raw.JOB_POLL_MS ?? 1000, leaseMs: raw.JOB_LEASE_MS ?? 30_000, concurrency: raw.JOB_CONCURRENCY ?? 2 },
      /**
       * A shopper waits this long for Shopify to issue a reward before the answer counts as lost.
       * Longer than Node's 10 s connect timeout, so that a Shopify that cannot be reached at all
       * is known as such (nothing sent: the points come back at once) rather than as a lost answer.
       */
      shopifyCallTimeoutMs: raw.SHOPIFY_CALL_TIMEOUT_MS ?? 15_000,
      /** Redeems answer with a Server-Timing header naming how long each step took. */
      serverTiming: raw.SERVER_TIMING === "on",
      /** null: GET /metrics is off (404). */
      metricsToken: raw.METRICS_TOKEN ?? null,
      port: raw.PORT ?? 3000,
      host: raw.HOST,
    };
  });

export type RuntimeEnvironment = z.output<typeof runtimeSchema>;

/** Parses the runtime variables; throws one error listing every bad one by name. */
export function parseRuntimeEnvironment(source: Record<string, string | undefined>): RuntimeEnvironment {
  // An empty variable counts as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const result = runtimeSchema.safeParse(present);
  if (!result.success) throw new EnvironmentError(result.error.issues);
  return result.data;
}

export class EnvironmentError extends Error {
  constructor(issues: z.ZodError["issues"]) {
    const lines = issues.map((issue) => `  ${issue.path.join(".") || "environment"} ${issue.message}`);
    super(`Tally cannot start: fix these environment variables:\n${lines.join("\n")}`);
    this.name = "EnvironmentError";
  }
}

export const runtimeEnv = parseRuntimeEnvironment(process.env);
