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

export function adminApiStandIn() {
  const calls: GraphqlCall[] = [];
  let answer: GraphqlAnswer = shopifySucceeds;
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
      return answer(call);
    }),
  );
  return {
    calls,
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
