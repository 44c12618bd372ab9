// Starts the production build (`npm start`, i.e. node server.js) as Shopify
// would reach it, on a free local port, and stops it again. Used by the demo, the benchmarks and
// the end-to-end tests. With `adminApiStandIn`, Shopify's Admin API is stood in for inside the
// server process (./admin-api-stand-in.ts); without it, the server runs exactly as `npm start`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "./app-config";
import type { StandInState } from "./admin-api-stand-in";
import type { StandInCustomer } from "./shopify-admin";

/** The access scopes the app is started with (and an offline session must hold). */
export const APP_SCOPES =
  "read_orders,read_customers,write_customers,write_discounts,read_store_credit_accounts,write_store_credit_account_transactions,read_store_credit_account_transactions,write_app_proxy";

const STAND_IN_PRELOAD = path.join(PROJECT_ROOT, "dev/simulator/admin-api-stand-in.preload.mjs");

export interface RunningApp {
  baseUrl: string;
  port: number;
  process: ChildProcess;
  /** The Admin API stand-in, when the app was started with one. */
  adminApi: AdminApiStandIn | null;
  /** What the server has written to stdout and stderr so far (empty with inheritOutput). */
  output(): string;
  stop(): Promise<void>;
}

export interface AdminApiStandIn {
  /** Where the stand-in serves Shopify's state (127.0.0.1). */
  url: string;
  latencyMs: number;
  /** What Shopify holds for `shop`: discount codes, store credit, metafields. */
  state(shop: string): Promise<StandInState>;
  /** Customers of `shop` in Shopify, found by its customer search (the CSV import's email lookup). */
  putCustomers(shop: string, customers: readonly StandInCustomer[]): Promise<void>;
}

export interface AdminApiStandInOptions {
  /** How long each Admin API call takes to answer (default: TALLY_ADMIN_STAND_IN_LATENCY_MS, else 0). */
  latencyMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function ensureBuilt(): void {
  if (!existsSync(path.join(PROJECT_ROOT, "build/server/index.js"))) {
    throw new Error("No production build: run `npm run build` first.");
  }
}

/** How often a start that lost its ports to another process (EADDRINUSE) is tried again, on new ports. */
const START_TRIES = 5;

type StartOptions = Parameters<typeof startAppOnce>[0];

/**
 * Starts the production server on free ports. A port is only known to be free when it is
 * picked: tests starting servers in parallel can take it first, and the start is then tried again
 * on new ports (unless the caller named the port).
 */
export async function startApp(options: StartOptions): Promise<RunningApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(options);
    } catch (error) {
      if (!(error instanceof PortTaken) || options.port !== undefined || attempt >= START_TRIES) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startAppOnce(options: {
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  port?: number;
  env?: Record<string, string>;
  /** Forward the server's output to this process's (default: only on failure). */
  inheritOutput?: boolean;
  /**
   * Stand in for Shopify's Admin API inside the server (dev/simulator/admin-api-stand-in.ts), so
   * that redemptions and storefront syncs reach a local Shopify. Never part of `npm start`.
   */
  adminApiStandIn?: AdminApiStandInOptions | boolean;
}): Promise<RunningApp> {
  ensureBuilt();
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const standIn = options.adminApiStandIn ? await standInSettings(options.adminApiStandIn === true ? {} : options.adminApiStandIn) : null;
  const inherited = { ...process.env };
  // Only an explicit request here turns it on, never a variable left in the caller's shell.
  for (const name of Object.keys(inherited)) if (name.startsWith("TALLY_ADMIN_STAND_IN")) delete inherited[name];
  const child = spawn(process.execPath, [...(standIn ? ["--import", pathToFileURL(STAND_IN_PRELOAD).href] : []), path.join(PROJECT_ROOT, "server.js")], {
    cwd: PROJECT_ROOT,
    env: {
      ...inherited,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      SHOPIFY_API_KEY: options.apiKey,
      SHOPIFY_API_SECRET: options.apiSecret,
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      SCOPES: APP_SCOPES,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // One worker unless asked: tests and the demo need no more, and start faster.
      WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? "1",
      ...options.env,
      ...(standIn
        ? { TALLY_ADMIN_STAND_IN: "1", TALLY_ADMIN_STAND_IN_PORT: String(standIn.port), TALLY_ADMIN_STAND_IN_LATENCY_MS: String(standIn.latencyMs) }
        : {}),
    },
    stdio: options.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `the app exited during start:\n${output}`;
      throw output.includes("EADDRINUSE") ? new PortTaken(message) : new Error(message);
    }
    try {
      // Closed after the answer: a kept-alive connection idle in fetch's pool until the caller's
      // first request could be closed by the server (its 5 s keep-alive) just as it is reused,
      // failing that request with "other side closed" (seen once in CI).
      await fetch(`${baseUrl}/healthz`, { headers: { connection: "close" } });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the app did not start within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    baseUrl,
    port,
    process: child,
    adminApi: standIn && adminApiStandIn(standIn),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function standInSettings(options: AdminApiStandInOptions): Promise<{ port: number; latencyMs: number }> {
  const latencyMs = options.latencyMs ?? Number(process.env.TALLY_ADMIN_STAND_IN_LATENCY_MS || 0);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`the stand-in's latency must be a number of milliseconds ≥ 0, not ${latencyMs}`);
  return { port: await freePort(), latencyMs };
}

function adminApiStandIn({ port, latencyMs }: { port: number; latencyMs: number }): AdminApiStandIn {
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    latencyMs,
    state: async (shop) => {
      const response = await fetch(`${url}/state?shop=${encodeURIComponent(shop)}`);
      if (!response.ok) throw new Error(`the Admin API stand-in answered ${response.status} for its state`);
      return (await response.json()) as StandInState;
    },
    putCustomers: async (shop, customers) => {
      const response = await fetch(`${url}/customers?shop=${encodeURIComponent(shop)}`, { method: "POST", body: JSON.stringify(customers) });
      if (!response.ok) throw new Error(`the Admin API stand-in answered ${response.status} to the customers it was given`);
    },
  };
}
