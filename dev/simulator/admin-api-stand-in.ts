// Shopify's Admin GraphQL API stood in for locally, inside the production server's process, for
// the demo and the benchmarks: the app's calls to https://<shop>.myshopify.com/admin/api/<version>/graphql.json
// are routed to it and answered by `ShopifyAdmin` (./shopify-admin.ts: discount codes,
// store credit, metafields, validated against the pinned Admin schema as Shopify validates them),
// after an optional artificial latency. The app runs unchanged: its Admin API client, its offline
// session from the Session table, its timeouts.
//
// Loaded only by startApp({ adminApiStandIn }) (./app-server.ts), which runs
// `node --import ./dev/simulator/admin-api-stand-in.preload.mjs server.js` with the variables below.
// It refuses to load otherwise, and `npm start` (`node server.js`) never names it:
//   TALLY_ADMIN_STAND_IN=1               the explicit request (set only by startApp)
//   TALLY_ADMIN_STAND_IN_PORT=<port>     where this Shopify keeps its state (127.0.0.1 only)
//   TALLY_ADMIN_STAND_IN_LATENCY_MS=<n>  how long each GraphQL call takes to answer (default 0)
// and only for an app whose SHOPIFY_APP_URL is this machine (localhost, 127.0.0.1, [::1]).
//
// One Shopify for the whole server: with several workers (node:cluster), the primary process
// holds the ShopifyAdmin and serves it on 127.0.0.1:<port>; every process intercepts the app's
// calls and hands them to it over loopback HTTP (a real call crosses the network too). The same
// port answers GET /state?shop=<domain>: what Shopify holds for the shop (`StandInState`), for
// the demo's and the benchmark's checks, and POST /customers?shop=<domain> (a JSON list of
// { id, email, firstName, lastName }): customers Shopify's customer search then finds.
import cluster from "node:cluster";
import http, { createServer, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { apiVersion } from "../../app/shopify/api-version";
import { schemaErrors, ShopifyAdmin, type StandInCustomer } from "./shopify-admin";

export const STAND_IN_ENV = {
  enabled: "TALLY_ADMIN_STAND_IN",
  port: "TALLY_ADMIN_STAND_IN_PORT",
  latencyMs: "TALLY_ADMIN_STAND_IN_LATENCY_MS",
} as const;

/** The header the intercepting process names the shop in when it hands a call on. */
export const STAND_IN_SHOP_HEADER = "x-tally-stand-in-shop";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface StandInSettings {
  port: number;
  latencyMs: number;
}

/** What Shopify holds for one shop (GET /state?shop=…). */
export interface StandInState {
  shop: string;
  discounts: {
    id: string;
    code: string;
    kind: string;
    title: string | null;
    /** `customerGets.value.discountAmount.amount`, when the code takes an amount off. */
    amount: string | null;
    customers: string[];
    usageLimit: number | null;
    usageCount: number;
    endsAt: string | null;
  }[];
  storeCredits: { id: string; customerId: string; amount: string; currencyCode: string }[];
  metafields: number;
  /** GraphQL calls answered (every shop), by operation name. */
  calls: Record<string, number>;
}

export class StandInRefused extends Error {
  override name = "StandInRefused";
}

/** The settings, or why the stand-in must not run in this process. */
export function standInSettings(env: NodeJS.ProcessEnv): StandInSettings {
  const refuse = (why: string) =>
    new StandInRefused(
      `The Shopify Admin API stand-in (dev/simulator/admin-api-stand-in.ts) refuses to load: ${why}. ` +
        "It is for the local demo and benchmarks only, loaded by startApp({ adminApiStandIn }) in dev/simulator/app-server.ts; `npm start` never loads it.",
    );
  if (env[STAND_IN_ENV.enabled] !== "1") throw refuse(`${STAND_IN_ENV.enabled}=1 is not set`);
  let appHost: string;
  try {
    appHost = new URL(env.SHOPIFY_APP_URL ?? "").hostname;
  } catch {
    throw refuse(`SHOPIFY_APP_URL is not a URL ("${env.SHOPIFY_APP_URL ?? ""}")`);
  }
  if (!LOOPBACK_HOSTS.has(appHost)) throw refuse(`SHOPIFY_APP_URL (${env.SHOPIFY_APP_URL}) is not this machine, so this may be a real deployment`);
  const port = Number(env[STAND_IN_ENV.port]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw refuse(`${STAND_IN_ENV.port} is not a port ("${env[STAND_IN_ENV.port] ?? ""}")`);
  const latencyMs = Number(env[STAND_IN_ENV.latencyMs] || 0);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw refuse(`${STAND_IN_ENV.latencyMs} is not a number of milliseconds ("${env[STAND_IN_ENV.latencyMs]}")`);
  return { port, latencyMs };
}

/**
 * Installs the stand-in in this process (the preload calls it): the primary serves Shopify's
 * state on the loopback port, and every process intercepts the app's Admin API calls.
 */
export async function installAdminApiStandIn(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = standInSettings(env);
  if (cluster.isPrimary) await serveShopify(settings);
  interceptAdminApi(`http://127.0.0.1:${settings.port}`);
}

// ---------------------------------------------------------------------------------------------
// The app's side: intercepting its calls.

const ADMIN_API_URL = /^https:\/\/[a-z0-9][a-z0-9-]*\.myshopify\.com\/admin\/api\/[^/]+\/graphql\.json$/;

function interceptAdminApi(shopifyUrl: string): void {
  // The app sends its Admin GraphQL calls with Node's https.request (looked up at each call:
  // app/shopify/admin-graphql-transport.server.ts). They are sent on to the stand-in over
  // loopback HTTP instead, with the shop in a header (a real call crosses the network too: one
  // request, one answer, the app's own headers, body and timeout signal); every other request
  // goes where it was going.
  const loopback = new URL(shopifyUrl);
  const loopbackAgent = new http.Agent({ keepAlive: true });
  const realRequest = https.request;
  const route = (...args: unknown[]) => {
    const [first, second, third] = args;
    const url = typeof first === "string" ? first : first instanceof URL ? first.href : null;
    if (url === null || !ADMIN_API_URL.test(url)) return (realRequest as (...all: unknown[]) => ClientRequest)(...args);
    const options = (typeof second === "object" && second !== null ? second : {}) as RequestOptions;
    const callback = (typeof second === "function" ? second : third) as ((response: IncomingMessage) => void) | undefined;
    const target = new URL(url);
    return http.request(
      {
        ...options,
        protocol: "http:",
        hostname: loopback.hostname,
        port: loopback.port,
        path: target.pathname,
        agent: loopbackAgent,
        headers: { ...(options.headers as Record<string, string> | undefined), [STAND_IN_SHOP_HEADER]: target.hostname },
      },
      callback,
    );
  };
  https.request = route as typeof https.request;
}

// ---------------------------------------------------------------------------------------------
// Shopify's side: one ShopifyAdmin, on 127.0.0.1:<port>.

async function serveShopify(settings: StandInSettings): Promise<void> {
  const shopify = new ShopifyAdmin();
  // Reading the pinned Admin schema takes a moment: before the first call rather than during it.
  schemaErrors({ query: "{ shop { id } }", variables: {} });
  const calls: Record<string, number> = {};

  const graphql = async (request: IncomingMessage, response: ServerResponse, version: string) => {
    const body = await readBody(request);
    if (version !== apiVersion) return json(response, 404, { errors: "Not Found" });
    if (!request.headers["x-shopify-access-token"]) {
      return json(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    let call: { query?: unknown; variables?: unknown };
    try {
      call = JSON.parse(body) as typeof call;
    } catch {
      return json(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof call.query !== "string") return json(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    const shop = String(request.headers[STAND_IN_SHOP_HEADER] ?? "");
    const name = /\b(?:query|mutation)\s+(\w+)/.exec(call.query)?.[1] ?? "(anonymous)";
    calls[name] = (calls[name] ?? 0) + 1;
    try {
      const answer = shopify.answer({ shop, query: call.query, variables: (call.variables as Record<string, unknown> | undefined) ?? {} });
      json(response, answer.status, answer.body);
    } catch (error) {
      console.error(`Shopify Admin API stand-in: ${(error as Error).message}`);
      json(response, 500, { errors: [{ message: "Internal error (the stand-in cannot answer this operation)" }] });
    }
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in.local");
    const graphqlPath = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    const work =
      request.method === "POST" && graphqlPath
        ? graphql(request, response, graphqlPath[1])
        : request.method === "GET" && url.pathname === "/state"
          ? // A one-off look from outside (the demo, a benchmark): no connection left holding this process.
            Promise.resolve(json(response.setHeader("connection", "close"), 200, stateOf(shopify, url.searchParams.get("shop") ?? "", calls)))
          : request.method === "POST" && url.pathname === "/customers"
            ? // The shop's customers, as Shopify holds them (the demo's): what its customer search finds.
              readBody(request).then((body) => {
                for (const customer of JSON.parse(body) as StandInCustomer[]) shopify.putCustomer(url.searchParams.get("shop") ?? "", customer);
                json(response.setHeader("connection", "close"), 200, { ok: true });
              })
            : Promise.resolve(json(response, 404, { errors: "Not Found" }));
    work.catch((error: unknown) => {
      console.error("Shopify Admin API stand-in:", error);
      if (!response.headersSent) json(response, 500, { errors: "Internal error" });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, "127.0.0.1", () => resolve());
  });
  // The server's primary process exits once its workers have (server.js): this must not hold it.
  server.unref();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
    });
  }
  // Never silent: whoever reads the server's log sees that Shopify is not the real one.
  console.warn(
    `Shopify Admin API stand-in active (local demo/benchmark only): https://*.myshopify.com/admin/api/*/graphql.json is answered in this process` +
      `${settings.latencyMs > 0 ? ` after ${settings.latencyMs} ms` : ""}; what it holds: http://127.0.0.1:${settings.port}/state?shop=<shop>`,
  );
}

function stateOf(shopify: ShopifyAdmin, shop: string, calls: Record<string, number>): StandInState {
  const discounts = [...shopify.discounts.entries()]
    .filter(([key]) => key.startsWith(`${shop} `))
    .map(([, discount]) => {
      const input = discount.input as {
        title?: string;
        usageLimit?: number | null;
        endsAt?: string | null;
        context?: { customers?: { add?: string[] } };
        customerGets?: { value?: { discountAmount?: { amount?: string } } };
      };
      return {
        id: discount.id,
        code: discount.code,
        kind: discount.kind,
        title: input.title ?? null,
        amount: input.customerGets?.value?.discountAmount?.amount ?? null,
        customers: input.context?.customers?.add ?? [],
        usageLimit: input.usageLimit ?? null,
        usageCount: discount.usageCount,
        endsAt: input.endsAt ?? null,
      };
    });
  const storeCredits = [...shopify.storeCredits.entries()]
    .filter(([key]) => key.startsWith(`${shop} `))
    .flatMap(([, credits]) => credits.map(({ id, customerId, amount, currencyCode }) => ({ id, customerId, amount, currencyCode })));
  const metafields = [...shopify.metafields.keys()].filter((key) => key.startsWith(`${shop} `)).length;
  return { shop, discounts, storeCredits, metafields, calls: { ...calls } };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) }).end(text);
}
