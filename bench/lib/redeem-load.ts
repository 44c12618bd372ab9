// The redemption benchmark's clients: members redeeming through the app proxy as the storefront
// does (POST /apps/tally/redeem, forwarded by Shopify with a signed query), each request signed
// just before it is sent and timed from the request start to the last byte of the answer, over
// keep-alive node:http (as bench/lib/load.ts, for the same reason: a light client on a machine
// shared with the server). Also the baseline: Shopify alone, the Admin API stand-in called
// directly with the mutation the app sends for a code.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { parseServerTiming } from "../../app/observability/step-times";
import { apiVersion } from "../../app/shopify/api-version";
import { CREATE_BASIC_CODE } from "../../app/shopify/graphql/discount-codes";
import { proxyPath, storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { STAND_IN_SHOP_HEADER } from "../../dev/simulator/admin-api-stand-in";
import { STAND_IN_ACCESS_TOKEN } from "../../dev/simulator/offline-session";
import { signedProxyQuery } from "../../dev/simulator/shopify-signing";

export interface RedeemTarget {
  baseUrl: string;
  shop: string;
  secret: string;
  rewardId: number;
}

export interface RedeemAnswer {
  customerId: number;
  /** HTTP status, or null when the request itself failed. */
  status: number | null;
  latencyMs: number;
  /** The error code, or the issued code, from the JSON answer. */
  code: string | null;
  detail: string;
  /** How long each step took in the server (its Server-Timing header; SERVER_TIMING=on), in ms. */
  steps: Record<string, number>;
}

export interface RedeemRun {
  name: string;
  wallMs: number;
  answers: RedeemAnswer[];
}

export interface SteadyRun {
  warmUp: RedeemRun;
  measured: RedeemRun;
  /** Every redeem started from the moment the first member began its measured ones (warm-ups included). */
  redeemsInWindow: number;
}

/**
 * Each member redeems `warmUp` times, then `measured` times, one request in flight per member
 * (so `members.length` in flight in all), one after the other and with no pause between the two:
 * members that finish their warm-up early go on measuring while the others still warm up. A
 * barrier between the two would start every member's first measured redeem at the same instant,
 * a herd that a steady load of shoppers never sends, and at p99 the bench would measure that herd
 * rather than the steady state (the burst is measured on its own: `redeemAtOnce`).
 * `onMeasuring` runs once, just before the first measured redeem is sent (to read the server's
 * CPU); the measured window runs from then to the last answer. `agent`: one connection per member
 * (`withKeptConnections`).
 */
export async function redeemSteadily(
  target: RedeemTarget,
  agent: http.Agent,
  customerIds: readonly number[],
  { warmUp, measured }: { warmUp: number; measured: number },
  onMeasuring: () => void,
): Promise<SteadyRun> {
  const warmUpAnswers: RedeemAnswer[] = [];
  const measuredAnswers: RedeemAnswer[] = [];
  const started = performance.now();
  let measuringSince: number | null = null;
  let redeemsInWindow = 0;
  await Promise.all(
    customerIds.map(async (customerId) => {
      for (let i = 0; i < warmUp + measured; i++) {
        const measuring = i >= warmUp;
        if (measuring && measuringSince === null) {
          onMeasuring();
          measuringSince = performance.now();
        }
        if (measuringSince !== null) redeemsInWindow++;
        const answer = await redeem(agent, target, customerId);
        (measuring ? measuredAnswers : warmUpAnswers).push(answer);
      }
    }),
  );
  const ended = performance.now();
  return {
    warmUp: { name: "warm-up", wallMs: (measuringSince ?? ended) - started, answers: warmUpAnswers },
    measured: { name: "measured", wallMs: ended - (measuringSince ?? ended), answers: measuredAnswers },
    redeemsInWindow,
  };
}

/** Runs `run` over up to `connections` kept-alive connections, all closed when it ends. */
export async function withKeptConnections<T>(connections: number, run: (agent: http.Agent) => Promise<T>): Promise<T> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    return await run(agent);
  } finally {
    agent.destroy();
  }
}

/**
 * Every member sends `attempts` redeems at once (members × attempts in flight), over `agent`'s
 * connections (already open: the herd alone is measured) or, without one, over new connections.
 */
export async function redeemAtOnce(target: RedeemTarget, name: string, customerIds: readonly number[], attempts: number, agent?: http.Agent): Promise<RedeemRun> {
  if (!agent) return withKeptConnections(customerIds.length * attempts, (connections) => redeemAtOnce(target, name, customerIds, attempts, connections));
  const started = performance.now();
  const answers = await Promise.all(customerIds.flatMap((customerId) => Array.from({ length: attempts }, () => redeem(agent, target, customerId))));
  return { name, wallMs: performance.now() - started, answers };
}

function redeem(agent: http.Agent, target: RedeemTarget, customerId: number): Promise<RedeemAnswer> {
  const url = new URL(target.baseUrl);
  const query = signedProxyQuery(storefrontProxyPrefix(), { shop: target.shop, customerId, secret: target.secret });
  const body = Buffer.from(JSON.stringify({ rewardId: target.rewardId }));
  const path = `${proxyPath("redeem")}?${query}`;
  return new Promise((resolve) => {
    const started = performance.now();
    let steps: Record<string, number> = {};
    const done = (status: number | null, text: string) => {
      const latencyMs = performance.now() - started;
      let code: string | null = null;
      try {
        const json = JSON.parse(text) as { redemption?: { code?: string }; error?: { code?: string } };
        code = json.redemption?.code ?? json.error?.code ?? null;
      } catch {
        // Not JSON: kept as the detail.
      }
      resolve({ customerId, status, latencyMs, code, detail: status === 200 ? "" : text.slice(0, 300), steps });
    };
    const request = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(body.length) },
      },
      (response) => {
        const header = response.headers["server-timing"];
        steps = parseServerTiming(Array.isArray(header) ? header.join(", ") : (header ?? null));
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => done(response.statusCode ?? 0, Buffer.concat(chunks).toString()));
        response.on("error", (error) => done(response.statusCode ?? 0, error.message));
      },
    );
    request.on("error", (error) => done(null, error.message));
    request.end(body);
  });
}

/**
 * The floor a redemption stands on: the stand-in answering the app's discountCodeBasicCreate
 * directly (its latency, its schema validation, loopback HTTP), `concurrency` in flight, for a
 * shop of its own so the benchmark shop's codes stay exactly the redemptions'. `warmUp` calls go
 * first, unmeasured, on the same connections: as the redeems have their warm-up, so does this
 * (the first calls open the connections and meet cold code, tens of milliseconds each), and as
 * theirs, it runs straight into the measured calls, with no barrier between.
 */
export async function shopifyAlone(
  standInUrl: string,
  shop: string,
  { warmUp, calls, concurrency }: { warmUp: number; calls: number; concurrency: number },
): Promise<{ wallMs: number; latenciesMs: number[]; failures: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${standInUrl}/admin/api/${apiVersion}/graphql.json`);
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const one = (n: number, measured: boolean) =>
    new Promise<void>((resolve) => {
      const body = Buffer.from(JSON.stringify({ query: CREATE_BASIC_CODE, variables: { discount: codeInput(n) } }));
      const started = performance.now();
      const request = http.request(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": String(body.length),
            "x-shopify-access-token": STAND_IN_ACCESS_TOKEN,
            [STAND_IN_SHOP_HEADER]: shop,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            if (!measured) return resolve();
            latenciesMs.push(performance.now() - started);
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== 200 || !text.includes('"userErrors":[]')) failures++;
            resolve();
          });
        },
      );
      request.on("error", () => {
        if (measured) failures++;
        resolve();
      });
      request.end(body);
    });
  let started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < warmUp + calls) {
          const n = next++;
          if (n === warmUp) started = performance.now();
          await one(n, n >= warmUp);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { wallMs: performance.now() - started, latenciesMs, failures };
}

/** What the app sends for the default reward (app/shopify/reward-issuer.server.ts, codeDiscountInput). */
function codeInput(n: number): Record<string, unknown> {
  return {
    title: `Tally #${n}: 5.00 off your order (customer ${7_000_000 + n})`,
    code: `TALLY-${randomBytes(5).toString("hex").toUpperCase()}`,
    startsAt: new Date().toISOString(),
    endsAt: null,
    context: { customers: { add: [`gid://shopify/Customer/${7_000_000 + n}`] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
    minimumRequirement: null,
    customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
  };
}
