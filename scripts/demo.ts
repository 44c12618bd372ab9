// `npm run demo`: Tally end to end on this machine, without a Shopify account or a tunnel.
// Builds the app, prepares the embedded database, starts the production server, plays the part
// of Shopify (signed webhooks for a demo shop, signed app proxy requests, and its Admin API,
// stood in for inside the server: dev/simulator/admin-api-stand-in.ts), prints what the ledger
// made of it next to what the rules say, redeems a reward for a customer, and keeps the server
// and the local storefront up until Ctrl-C.
//
//   npm run demo                          run, then keep Tally running (Ctrl-C stops it)
//   npm run demo -- --once                run, print, stop (exit code 0 if every check passed)
//   npm run demo -- --reset               forget the demo shop's data first (after rule changes)
//   npm run demo -- --no-build            serve the build there is (the tests build first)
//   npm run -s demo -- --proxy-url <id>   a freshly signed storefront URL for a running demo
//
// Environment: DEMO_PORT or PORT (default 3000), STOREFRONT_PORT (default 4000), ADMIN_PORT
// (the local Shopify admin, default 3001), DATABASE_URL
// (default: the embedded SQLite file), DEMO_ONCE=1 as --once, TALLY_ADMIN_STAND_IN_LATENCY_MS
// (how long the Admin API stand-in takes to answer; default 0).
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import type { Db } from "../app/db.server";
import { DEFAULT_DATABASE_URL, databaseTarget } from "../app/database-url";
import { appConfig, PROJECT_ROOT, proxyPath, storefrontProxyPrefix, webhookUri } from "../dev/simulator/app-config";
import { startAdminFrame, type RunningAdminFrame } from "../dev/simulator/admin-frame";
import { startApp, type RunningApp } from "../dev/simulator/app-server";
import { storeOfflineSession } from "../dev/simulator/offline-session";
import { startStorefront, type RunningStorefront } from "../dev/simulator/storefront";
import { signedProxyQuery, signedWebhookRequest } from "../dev/simulator/shopify-signing";
import { showAdmin } from "./demo/admin";
import { runNpmScript } from "./demo/npm-script";
import { demoGrowth } from "./demo/growth";
import { demoRedemption } from "./demo/redemption";
import { printChecks, reportShop, type Check } from "./demo/report";
import { DEMO_CUSTOMERS, DEMO_SHOP, demoDeliveries, DIAMOND_TIER, fullName, GROWTH_CUSTOMERS, PROXY_DEMO_CUSTOMER, type Delivery } from "./demo/scenario";
import { mark } from "./demo/table";

// The demo app's credentials: anything works, as long as the server and the signer agree.
const DEMO_API_KEY = "tally-demo-key";
const DEMO_API_SECRET = "tally-demo-secret";
const DEFAULT_PORT = 3000;
/** Shopify's library refuses an app proxy request whose timestamp is further off than this. */
const PROXY_SIGNATURE_TOLERANCE_SECONDS = 90;

const USAGE = `Usage:
  npm run demo                          build, start Tally, send the demo webhooks, keep running
  npm run demo -- --once                the same, then stop (exit code 0 if every check passed)
  npm run demo -- --reset               delete the demo shop's data first (combines with --once)
  npm run demo -- --no-build            serve the existing build instead of building first
  npm run -s demo -- --proxy-url <id>   print a freshly signed storefront URL for a running demo
Environment: DEMO_PORT or PORT (default ${DEFAULT_PORT}), STOREFRONT_PORT (default 4000), ADMIN_PORT (default 3001), DATABASE_URL, DEMO_ONCE=1,
TALLY_ADMIN_STAND_IN_LATENCY_MS (the Admin API stand-in's answer time, default 0).`;

interface DemoOptions {
  once: boolean;
  /** Start the demo shop afresh instead of redelivering onto what earlier runs left. */
  reset: boolean;
  /** Build first (--no-build: serve build/ as it is). */
  build: boolean;
  /** --proxy-url: only sign a storefront URL for this customer. */
  proxyUrlFor: number | null;
  port: number;
}

/** The command line is wrong: the usage is printed with it. */
class UsageError extends Error {}
/** Something the user can fix, said in a sentence rather than a stack trace. */
class DemoError extends Error {}

function demoOptions(): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      allowNegative: true,
      options: {
        once: { type: "boolean", default: false },
        reset: { type: "boolean", default: false },
        build: { type: "boolean", default: true },
        "proxy-url": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    once: values.once || process.env.DEMO_ONCE === "1",
    reset: values.reset,
    build: values.build,
    proxyUrlFor: values["proxy-url"] === undefined ? null : customerIdArgument(values["proxy-url"]),
    port: demoPort(),
  };
}

function customerIdArgument(value: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--proxy-url needs a Shopify customer id (digits), got "${value}"`);
  }
  return Number(value);
}

function demoPort(): number {
  const raw = process.env.DEMO_PORT || process.env.PORT || String(DEFAULT_PORT);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`DEMO_PORT/PORT is not a port: "${raw}"`);
  return port;
}

/** The address startApp serves on (dev/simulator/app-server.ts binds 127.0.0.1). */
function baseUrlFor(port: number): string {
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Preparing and starting the app.

async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  process.stdout.write(`${label} … `);
  const started = performance.now();
  try {
    const result = await work();
    console.log(`done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  } catch (error) {
    console.log("failed");
    throw error;
  }
}

function describeDatabase(url: string): string {
  const target = databaseTarget(url);
  return target.provider === "sqlite" ? `SQLite ${target.filePath}` : `PostgreSQL ${target.url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@")}`;
}

// startApp waits for /healthz to answer; on a port another server (an earlier demo) holds, that
// one would answer and the new server's failure to listen would go unnoticed.
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new DemoError(
              `port ${port} is in use (is a demo already running? \`npm run -s demo -- --proxy-url <id>\` signs a URL for it). ` +
                "Stop it, or choose another port with DEMO_PORT=…",
            )
          : error,
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// Playing Shopify.

async function deliver(baseUrl: string, delivery: Delivery): Promise<{ status: number; body: string }> {
  const request = signedWebhookRequest(baseUrl, webhookUri(delivery.topic), delivery.topic, delivery.payload, {
    shop: DEMO_SHOP,
    secret: DEMO_API_SECRET,
    webhookId: delivery.webhookId,
    apiVersion: appConfig.webhooks.api_version,
  });
  const response = await fetch(request);
  return { status: response.status, body: await response.text() };
}

async function sendDeliveries(baseUrl: string, deliveries: readonly Delivery[]): Promise<Check> {
  console.log(`\nWebhooks to ${baseUrl} for ${DEMO_SHOP}, signed as Shopify signs them:`);
  const topicWidth = Math.max(...deliveries.map((d) => d.topic.length));
  const subjectWidth = Math.max(...deliveries.map((d) => d.subject.length));
  let failures = 0;
  for (const [index, delivery] of deliveries.entries()) {
    const { status, body } = await deliver(baseUrl, delivery);
    if (status !== 200) failures++;
    const note = status === 200 ? delivery.note : `${delivery.note} → ${body.slice(0, 200)}`;
    console.log(
      `  ${String(index + 1).padStart(2)}  ${delivery.topic.padEnd(topicWidth)}  ${delivery.subject.padEnd(subjectWidth)}  ` +
        `${status} ${mark(status === 200)}  ${note}`.trimEnd(),
    );
  }
  return {
    ok: failures === 0,
    label: failures === 0 ? `all ${deliveries.length} deliveries answered 200` : `${failures} of ${deliveries.length} deliveries did not answer 200`,
  };
}

/** What the storefront requests through the app proxy, signed as the proxy signs it, now. */
function signedCustomerUrl(baseUrl: string, customerId: number): string {
  const query = signedProxyQuery(storefrontProxyPrefix(), { shop: DEMO_SHOP, customerId, secret: DEMO_API_SECRET });
  return `${baseUrl}${proxyPath("customer")}?${query.toString()}`;
}

async function showStorefrontView(baseUrl: string, options: DemoOptions, expected: number | undefined): Promise<Check> {
  const customer = PROXY_DEMO_CUSTOMER;
  const url = signedCustomerUrl(baseUrl, customer.id);
  console.log(`\nThe storefront widget's view of ${fullName(customer)} (app proxy):`);
  console.log(`  GET ${url}`);
  const response = await fetch(url);
  const text = await response.text();
  let balance: unknown = null;
  try {
    const body = JSON.parse(text) as { member?: { balance?: unknown }; program?: unknown };
    balance = body.member?.balance;
    // The public program (rules, rewards, tiers) is the same for everyone: shown by name only.
    const shown = body.program === undefined ? body : { ...body, program: "… (as GET /proxy/program answers)" };
    console.log(indent(`→ ${response.status} ${JSON.stringify(shown, null, 2)}`, "  "));
  } catch {
    console.log(`  → ${response.status} ${text.slice(0, 500)}`);
  }
  const portPrefix = options.port === DEFAULT_PORT ? "" : `DEMO_PORT=${options.port} `;
  console.log(
    `  The signature is valid for ${PROXY_SIGNATURE_TOLERANCE_SECONDS} seconds (Shopify's library tolerance). ` +
      `For a fresh URL while the demo runs${options.once ? " (without --once)" : ""}:\n` +
      `    ${portPrefix}npm run -s demo -- --proxy-url ${customer.id}`,
  );
  return {
    ok: response.status === 200 && balance === expected,
    label: `the app proxy answers ${fullName(customer)}'s balance: ${expected}`,
  };
}

function storefrontPort(): number {
  const port = Number(process.env.STOREFRONT_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`STOREFRONT_PORT must be a port number, not "${process.env.STOREFRONT_PORT}"`);
  return port;
}

function adminPort(): number {
  const port = Number(process.env.ADMIN_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`ADMIN_PORT must be a port number, not "${process.env.ADMIN_PORT}"`);
  return port;
}

/** The local storefront's page as the demo customer sees it: the widget's first paint holds their balance. */
async function showStorefrontPage(storefront: RunningStorefront, expected: number | undefined): Promise<Check> {
  const customer = PROXY_DEMO_CUSTOMER;
  const url = `${storefront.url}/?customer=${customer.id}`;
  const html = await (await fetch(url)).text();
  const painted = /data-tally-field="balance">\s*(-?\d+)/.exec(html)?.[1];
  console.log(`\nThe local storefront (theme app extension rendered with liquidjs, /apps/tally/* proxied and signed):`);
  console.log(`  ${url}   (switch customer in the page header; open the Rewards launcher to redeem)`);
  return {
    ok: painted !== undefined && Number(painted) === expected,
    label: `the storefront widget paints ${fullName(customer)}'s balance: ${painted ?? "nothing"}${expected === undefined ? "" : ` (expected ${expected})`}`,
  };
}

/**
 * VIP tiers, saved before any order through the admin's save path (each a program version, the
 * members flagged for the recalculation), as a merchant would have set them up: order
 * deliveries read the shop's tiers from the app's shop cache, so tiers saved in between would
 * reach them only after its TTL. Silver, Gold and Platinum earn ×1, so the balances below stay
 * what the earning rules give; Diamond (×150%) lies above every one of the story's customers'
 * points, for the tier upgrade (scripts/demo/growth.ts). Saved again only when missing or changed.
 */
async function addDemoTiers(db: Db): Promise<void> {
  const { saveTier } = await import("../app/loyalty/tier-settings.server");
  for (const tier of [...DEMO_TIERS.map((tier) => ({ ...tier, multiplierPercent: 100 })), DIAMOND_TIER]) {
    const saved = await db.tier.findFirst({ where: { shopDomain: DEMO_SHOP, thresholdPoints: tier.thresholdPoints } });
    if (saved?.name === tier.name && saved.multiplierPercent === tier.multiplierPercent) continue;
    const result = await saveTier(db, DEMO_SHOP, saved?.id ?? null, tier, { actor: "demo" });
    if (!result.ok) throw new DemoError(`the ${tier.name} tier could not be saved: ${JSON.stringify(result)}`);
  }
}

const DEMO_TIERS = [
  { name: "Silver", thresholdPoints: 30 },
  { name: "Gold", thresholdPoints: 100 },
  { name: "Platinum", thresholdPoints: 250 },
];

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** Runs `work` with a client of the demo's database, closed afterwards. */
async function withDatabase<T>(databaseUrl: string, work: (db: Db) => Promise<T>): Promise<T> {
  // Imported only now: loading db.server opens the default database, which must exist first
  // (and which --proxy-url has no business touching).
  const { createDb } = await import("../app/db.server");
  const db = createDb(databaseTarget(databaseUrl));
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}

// Every row of a shop hangs off its Shop row (onDelete: Cascade), so one delete forgets it all.
async function resetDemoShop(databaseUrl: string): Promise<void> {
  await withDatabase(databaseUrl, (db) => db.shop.deleteMany({ where: { domain: DEMO_SHOP } }));
}

// ---------------------------------------------------------------------------------------------
// Running until stopped.

let runningApp: RunningApp | null = null;
let runningStorefront: RunningStorefront | null = null;
let runningAdmin: RunningAdminFrame | null = null;
let stopping = false;
let allChecksPassed = false;

async function stopAndExit(exitCode: number): Promise<never> {
  stopping = true;
  await runningStorefront?.stop();
  runningStorefront = null;
  await runningAdmin?.stop();
  runningAdmin = null;
  if (runningApp) {
    const app = runningApp;
    runningApp = null;
    await app.stop();
  }
  process.exit(exitCode);
}

function stopOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping Tally…`);
      void stopAndExit(allChecksPassed ? 0 : 1);
    });
  }
}

async function keepRunning(app: RunningApp): Promise<void> {
  if (runningStorefront) console.log(`\nThe storefront is at ${runningStorefront.url}/?customer=${PROXY_DEMO_CUSTOMER.id}`);
  if (runningAdmin) console.log(`The admin is at ${runningAdmin.adminUrl("/app")}`);
  console.log(`\nTally is running at ${app.baseUrl}, press Ctrl-C to stop. (Server log, LOG_LEVEL=${process.env.LOG_LEVEL ?? "warn"}, follows.)`);
  // From here on the server's own warnings matter to whoever is trying things out.
  app.process.stdout?.pipe(process.stdout);
  app.process.stderr?.pipe(process.stderr);
  const exitCode = await new Promise<number | null>((resolve) => {
    if (app.process.exitCode !== null) resolve(app.process.exitCode);
    else app.process.once("exit", resolve);
  });
  if (!stopping) {
    console.error(`Tally stopped by itself (exit code ${exitCode}).`);
    await stopAndExit(1);
  }
}

async function main(): Promise<void> {
  const options = demoOptions();
  // Relative DATABASE_URLs (the default file:./prisma/dev.sqlite) mean the project's folder for
  // the server and `npm run setup`; the demo's own reads must mean the same file.
  process.chdir(PROJECT_ROOT);

  if (options.proxyUrlFor !== null) {
    console.log(signedCustomerUrl(baseUrlFor(options.port), options.proxyUrlFor));
    return;
  }

  const databaseUrl = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  console.log(`Tally demo: a pretend shop, ${DEMO_SHOP}, on ${describeDatabase(databaseUrl)}\n`);
  // Before building: a rebuild would also swap build/ under a demo that is still running.
  await assertPortFree(options.port);
  await assertPortFree(adminPort());
  if (options.build) await step("Building the app (npm run build)", () => runNpmScript("build"));
  await step("Preparing the database (npm run setup)", () => runNpmScript("setup"));
  if (options.reset) await step(`Deleting what earlier runs left for ${DEMO_SHOP}`, () => resetDemoShop(databaseUrl));
  // What OAuth would store at install: the app's Admin API client loads it to issue rewards.
  await withDatabase(databaseUrl, (db) => storeOfflineSession(db, DEMO_SHOP));
  await withDatabase(databaseUrl, (db) => addDemoTiers(db));
  stopOnSignals();
  const app = await step(`Starting the production server on port ${options.port}`, () =>
    startApp({
      databaseUrl,
      apiKey: DEMO_API_KEY,
      apiSecret: DEMO_API_SECRET,
      port: options.port,
      inheritOutput: false,
      // Shopify's Admin API, for redemptions (and storefront syncs): local, never in `npm start`.
      adminApiStandIn: true,
    }),
  );
  runningApp = app;
  // The demo shop's customers as Shopify holds them: the admin's CSV import finds them by email.
  await app.adminApi!.putCustomers(DEMO_SHOP, [...DEMO_CUSTOMERS, GROWTH_CUSTOMERS.referrer, GROWTH_CUSTOMERS.friend]);

  const checks: Check[] = [];
  checks.push(await sendDeliveries(app.baseUrl, demoDeliveries()));
  const report = await withDatabase(databaseUrl, (db) => reportShop(db, DEMO_SHOP));
  checks.push(...report.checks);
  checks.push(...(await demoGrowth({ deliver: (delivery) => deliver(app.baseUrl, delivery), withDatabase: (work) => withDatabase(databaseUrl, work) })));
  checks.push(await showStorefrontView(app.baseUrl, options, report.expectedBalances.get(PROXY_DEMO_CUSTOMER.id)));
  const redemption = await demoRedemption({
    baseUrl: app.baseUrl,
    shop: DEMO_SHOP,
    secret: DEMO_API_SECRET,
    customer: PROXY_DEMO_CUSTOMER,
    expectedBalance: report.expectedBalances.get(PROXY_DEMO_CUSTOMER.id) ?? 0,
    adminApi: app.adminApi!,
    withDatabase: (work) => withDatabase(databaseUrl, work),
  });
  checks.push(...redemption.checks);
  const storefront = await step(`Starting the local storefront on port ${storefrontPort()}`, () =>
    startStorefront({
      appUrl: app.baseUrl,
      apiSecret: DEMO_API_SECRET,
      shop: DEMO_SHOP,
      port: storefrontPort(),
      customers: [...DEMO_CUSTOMERS, GROWTH_CUSTOMERS.referrer, GROWTH_CUSTOMERS.friend].map((customer) => ({ id: customer.id, name: fullName(customer) })),
    }),
  );
  runningStorefront = storefront;
  const expectedAfter = report.expectedBalances.get(PROXY_DEMO_CUSTOMER.id);
  checks.push(await showStorefrontPage(storefront, expectedAfter === undefined ? undefined : expectedAfter - redemption.spent));

  const admin = await step(`Starting the local Shopify admin on port ${adminPort()}`, () =>
    startAdminFrame({ appUrl: app.baseUrl, shop: DEMO_SHOP, apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, port: adminPort() }),
  );
  runningAdmin = admin;
  checks.push(await showAdmin(admin));

  printChecks("Checks", checks);
  const failed = checks.filter((check) => !check.ok).length;
  allChecksPassed = failed === 0;
  console.log(allChecksPassed ? "\nAll checks passed ✓" : `\n${failed} check(s) failed ✗`);
  if (!allChecksPassed && !options.reset) {
    // Redeliveries cannot repair what an earlier run recorded under other rules or code.
    console.log("If the app's rules changed since the demo last ran here, `npm run demo -- --reset` starts its shop afresh.");
  }

  if (options.once) await stopAndExit(allChecksPassed ? 0 : 1);
  await keepRunning(app);
}

main().catch(async (error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`demo: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (error instanceof DemoError) console.error(`demo: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await stopAndExit(1);
});
