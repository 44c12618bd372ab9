// An embedded-admin request as Shopify's admin sends it (id_token signed with the app secret)
// for a shop that has an offline session in storage, built with Shopify's own test helpers.
import { RequestType, setUpValidRequest, setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

export async function storeOfflineSession(shop: string) {
  const { sessionStorage } = await import("~/shopify.server");
  const session = setUpValidSession({
    shop,
    expires: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    scope: process.env.SCOPES,
  });
  await sessionStorage.storeSession(session);
  return session;
}

/** `store` is the shop's name without .myshopify.com, as the helpers expect. */
export function adminRequest(store: string, url: string): Promise<Request> {
  return setUpValidRequest({ type: RequestType.Admin, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(url));
}
