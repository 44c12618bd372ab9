// Stands in for Shopify's Admin GraphQL API at the HTTP boundary (msw), recording what the app
// sent. Answers are shaped like Shopify's.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { apiVersion } from "~/shopify/api-version";

export interface GraphqlCall {
  shop: string;
  accessToken: string | null;
  query: string;
  variables: Record<string, unknown>;
}

export type GraphqlAnswer = (call: GraphqlCall) => Response | Promise<Response>;

interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  value: string;
}

export function adminApiStandIn() {
  const calls: GraphqlCall[] = [];
  let answer: GraphqlAnswer = shopifySucceeds;
  /** What Shopify holds: metafield values by shop, owner and key, as written by successful calls. */
  const metafields = new Map<string, string>();
  /** Owners that no longer exist in Shopify (a deleted or merged customer). */
  const missingOwners = new Set<string>();
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
        missingOwners.has(input.ownerId) ? [{ field: ["metafields", String(index), "ownerId"], message: "Owner does not exist", code: "INVALID", elementIndex: index }] : [],
      );
      if (refused.length > 0) {
        return HttpResponse.json({ data: { metafieldsSet: { metafields: null, userErrors: refused } } }) as unknown as Response;
      }
      const response = await answer(call);
      if (inputs.length > 0 && response.ok) {
        const answered = (await response.clone().json().catch(() => null)) as { data?: { metafieldsSet?: { userErrors: unknown[] } } } | null;
        if (answered?.data?.metafieldsSet?.userErrors.length === 0) {
          for (const input of inputs) metafields.set(`${call.shop} ${input.ownerId} ${input.namespace}.${input.key}`, input.value);
        }
      }
      return response;
    }),
  );
  return {
    calls,
    /** The value Shopify holds for a metafield (undefined: never written). */
    metafield: (shop: string, ownerId: string, key = "$app:tally.summary") => metafields.get(`${shop} ${ownerId} ${key}`),
    /** The owner is gone from Shopify: metafieldsSet refuses it (and so the whole call). */
    removeOwner: (ownerId: string) => void missingOwners.add(ownerId),
    /** Starts intercepting. Shopify's Node adapter keeps the fetch it saw when first imported,
     * so it is pointed at the (now intercepted) global fetch again. */
    listen() {
      server.listen({ onUnhandledRequest: "error" });
      setAbstractFetchFunc((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
    },
    close: () => server.close(),
    answerWith(next: GraphqlAnswer) {
      answer = next;
    },
  };
}

export const TEST_SHOP_GID = "gid://shopify/Shop/548380009";

/** Answers as Shopify does when all goes well: the shop's id, and metafieldsSet accepting all. */
export function shopifySucceeds(call: GraphqlCall): Response {
  if (/query ShopFacts\b/.test(call.query)) return HttpResponse.json({ data: { shop: { id: TEST_SHOP_GID, currencyCode: "USD" } } }) as unknown as Response;
  return metafieldsSetSucceeds(call);
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
