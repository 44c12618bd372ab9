// Stands in for Shopify's Admin GraphQL API at the HTTP boundary (msw), recording what the app
// sent. Answers are shaped like Shopify's.
import https from "node:https";
import { Socket } from "node:net";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { installAdminFetch } from "~/shopify/admin-fetch.server";
import { ADMIN_GRAPHQL_URL } from "~/shopify/admin-graphql-transport.server";
import { apiVersion } from "~/shopify/api-version";
import { ShopifyAdmin, SIMULATED_SHOP_GID } from "../../dev/simulator/shopify-admin";
import { BULK_FILE_ORIGIN } from "../../dev/simulator/shopify-bulk";

export interface GraphqlCall {
  shop: string;
  accessToken: string | null;
  query: string;
  variables: Record<string, unknown>;
}

export type GraphqlAnswer = (call: GraphqlCall, shopify: ShopifyAdmin) => Response | Promise<Response>;

interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  value: string;
}

/** What Node's HTTP client fails with when nothing listens at Shopify's address: the request was never sent. */
function refusedConnection(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 23.227.38.33:443"), { code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "23.227.38.33", port: 443 });
}

/** What undici (fetch) throws for it. */
export function connectionRefused(): TypeError {
  return new TypeError("fetch failed", { cause: refusedConnection() });
}

/** A request of Node's HTTP client whose connection is refused, as it is when Shopify cannot be reached. */
function refusedRequest(request: typeof https.request, options: https.RequestOptions): ReturnType<typeof https.request> {
  return request({
    method: options.method,
    headers: options.headers,
    signal: options.signal,
    // No agent: the connection is the one made here.
    agent: undefined,
    createConnection: () => {
      const socket = new Socket();
      process.nextTick(() => socket.destroy(refusedConnection()));
      return socket;
    },
  });
}

export function adminApiStandIn() {
  const calls: GraphqlCall[] = [];
  /** What Shopify holds: metafields, discount codes, store credit (dev/simulator/shopify-admin.ts). */
  const shopify = new ShopifyAdmin();
  let answer: GraphqlAnswer = shopifySucceeds;
  let reachable = true;
  let interceptedFetch: typeof fetch | null = null;
  let interceptedRequest: typeof https.request | null = null;
  const server = setupServer(
    http.post(`https://*/admin/api/${apiVersion}/graphql.json`, async ({ request }) => {
      const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
      const call = {
        shop: new URL(request.url).hostname,
        accessToken: request.headers.get("X-Shopify-Access-Token"),
        query: body.query,
        variables: body.variables ?? {},
      };
      calls.push(call);
      const inputs = /\bmetafieldsSet\b/.test(call.query) ? ((call.variables.metafields as MetafieldInput[] | undefined) ?? []) : [];
      // metafieldsSet is atomic, as Shopify's is: one refused metafield and none is written.
      const refused = inputs.flatMap((input, index) =>
        shopify.missingOwners.has(input.ownerId) ? [{ field: ["metafields", String(index), "ownerId"], message: "Owner does not exist", code: "INVALID", elementIndex: index }] : [],
      );
      if (refused.length > 0) {
        return HttpResponse.json({ data: { metafieldsSet: { metafields: null, userErrors: refused } } }) as unknown as Response;
      }
      const response = await answer(call, shopify);
      if (inputs.length > 0 && response.ok) {
        const answered = (await response.clone().json().catch(() => null)) as { data?: { metafieldsSet?: { userErrors: unknown[] } } } | null;
        if (answered?.data?.metafieldsSet?.userErrors.length === 0) {
          for (const input of inputs) shopify.metafields.set(`${call.shop} ${input.ownerId} ${input.namespace}.${input.key}`, input.value);
        }
      }
      return response;
    }),
    // A bulk operation's result file, where its `url` says (a signed storage URL, no Shopify token).
    http.get(`${BULK_FILE_ORIGIN}/*`, ({ request }) => {
      const file = shopify.bulkFile(request.url);
      return file === undefined ? new HttpResponse("Not Found", { status: 404 }) : new HttpResponse(file, { headers: { "Content-Type": "application/jsonl" } });
    }),
  );
  return {
    calls,
    shopify,
    /** The value Shopify holds for a metafield (undefined: never written). */
    metafield: (shop: string, ownerId: string, key = "$app:tally.summary") => shopify.metafields.get(`${shop} ${ownerId} ${key}`),
    /** The customer's tags as Shopify holds them (tagsAdd/tagsRemove), sorted. */
    customerTags: (shop: string, ownerId: string) => shopify.customerTags(shop, ownerId),
    /** The owner is gone from Shopify: metafieldsSet refuses it (and so the whole call). */
    removeOwner: (ownerId: string) => void shopify.missingOwners.add(ownerId),
    /** Shopify cannot be reached: connections are refused, nothing is sent. */
    setReachable(next: boolean) {
      reachable = next;
    },
    /** Starts intercepting. Shopify's library calls the app's fetch (app/shopify/admin-fetch.server.ts),
     * which sends GraphQL calls through `https.request` and anything else through the global
     * fetch, both looked up at each call, so msw's interception applies. */
    listen() {
      const uninterceptedRequest = https.request;
      server.listen({ onUnhandledRequest: "error" });
      interceptedFetch = globalThis.fetch;
      const intercepted = interceptedFetch;
      globalThis.fetch = ((...args: Parameters<typeof fetch>) => (reachable ? intercepted(...args) : Promise.reject(connectionRefused()))) as typeof fetch;
      interceptedRequest = https.request;
      const viaMsw = interceptedRequest;
      // Unreachable: the app's Admin GraphQL calls (a URL, then options) find their connection refused.
      https.request = ((...args: Parameters<typeof https.request>) => {
        const [url, options] = args;
        const adminCall = (typeof url === "string" || url instanceof URL) && ADMIN_GRAPHQL_URL.test(String(url)) && typeof options === "object";
        return !reachable && adminCall ? refusedRequest(uninterceptedRequest, options as https.RequestOptions) : viaMsw(...args);
      }) as typeof https.request;
      installAdminFetch();
    },
    close() {
      if (interceptedFetch) globalThis.fetch = interceptedFetch;
      if (interceptedRequest) https.request = interceptedRequest;
      server.close();
    },
    answerWith(next: GraphqlAnswer) {
      answer = next;
    },
  };
}

export const TEST_SHOP_GID = SIMULATED_SHOP_GID;

/** Answers as Shopify does when all goes well (dev/simulator/shopify-admin.ts). */
export function shopifySucceeds(call: GraphqlCall, shopify: ShopifyAdmin): Response {
  const { status, body } = shopify.answer(call);
  return HttpResponse.json(body as Record<string, unknown>, { status }) as unknown as Response;
}

export function metafieldsSetSucceeds(call: GraphqlCall): Response {
  const metafields = (call.variables.metafields as { key: string }[]) ?? [];
  return HttpResponse.json({
    data: { metafieldsSet: { metafields: metafields.map((m) => ({ ownerType: "CUSTOMER", key: m.key })), userErrors: [] } },
    extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } },
  }) as unknown as Response;
}

export function shopifyIsDown(): Response {
  return new HttpResponse("Service Unavailable", { status: 503 }) as unknown as Response;
}
