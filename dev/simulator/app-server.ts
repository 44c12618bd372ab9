// Starts the production build (`npm start`, i.e. node server.js) as Shopify
// would reach it, on a free local port, and stops it again. Used by the demo, the benchmarks and
// the end-to-end tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { PROJECT_ROOT } from "./app-config";

export interface RunningApp {
  baseUrl: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
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

export async function startApp(options: {
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  port?: number;
  env?: Record<string, string>;
  /** Forward the server's output to this process's (default: only on failure). */
  inheritOutput?: boolean;
}): Promise<RunningApp> {
  ensureBuilt();
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "server.js")], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      SHOPIFY_API_KEY: options.apiKey,
      SHOPIFY_API_SECRET: options.apiSecret,
      SHOPIFY_APP_URL: `http://localhost:${port}`,
      SCOPES: "read_orders,read_customers,write_customers,write_discounts,read_store_credit_accounts,write_store_credit_account_transactions,read_store_credit_account_transactions,write_app_proxy",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // One worker unless asked: tests and the demo need no more, and start faster.
      WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? "1",
      ...options.env,
    },
    stdio: options.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited during start:\n${output}`);
    try {
      await fetch(`${baseUrl}/healthz`);
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
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
