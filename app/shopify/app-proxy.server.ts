// Storefront requests arrive through Shopify's app proxy, signed. The shop and the customer
// come only from the signed query parameters (checked as Shopify's library checks them, refusing
// a timestamp more than 90 seconds off), never from the body or anything unsigned.
import { logger } from "~/logger.server";
import { MAX_SHOPIFY_ID, type ShopifyId } from "~/loyalty/shopify-id";
import { validateProxySignature } from "~/shopify.server";
import { errorAnswer, errorResponse, responseOf, type PlainAnswer } from "./responses";
import { isShopDomain } from "./shop-domain";

export interface ProxyCaller {
  shop: string;
  /** The signed-in customer's numeric id, or null for a visitor who is logged out. */
  customerId: ShopifyId | null;
}

/** The signed caller, or the answer refusing the request. */
export type ProxyAuthentication = { caller: ProxyCaller; refusal?: never } | { caller?: never; refusal: PlainAnswer };

/**
 * The parameters the proxy adds and signs, each exactly once. Shopify signs a repeated key as its
 * values joined by commas, so `?logged_in_customer_id=<someone else>` added to the storefront URL
 * next to the proxy's own still verifies, while the first value is the one read: a signed-in
 * shopper could read another customer's account.
 */
const SINGLE_VALUE_PARAMETERS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"];

/** Checks a proxy request's query (`search`, with or without its `?`) for the request to `path`. */
export function authenticateProxyQuery(search: string, path: string): ProxyAuthentication {
  const query = new URLSearchParams(search);
  if (!query.get("signature")) {
    return { refusal: errorAnswer(401, "missing_signature", "This endpoint is only served through the Shopify app proxy.") };
  }
  const repeated = SINGLE_VALUE_PARAMETERS.find((name) => query.getAll(name).length > 1);
  if (repeated) {
    logger.warn({ path, parameter: repeated }, "app proxy request repeats a signed parameter; refused");
    return { refusal: errorAnswer(400, "repeated_parameter", `The ${repeated} parameter appears more than once.`) };
  }
  if (!signatureIsValid(query)) {
    logger.info({ path, shop: query.get("shop") }, "app proxy signature refused");
    return { refusal: errorAnswer(401, "invalid_signature", "The app proxy signature is invalid or has expired.") };
  }
  const shop = query.get("shop");
  if (!isShopDomain(shop)) {
    return { refusal: errorAnswer(400, "invalid_shop", "The signed shop is not a myshopify.com domain.") };
  }
  const customer = query.get("logged_in_customer_id") ?? "";
  if (customer !== "" && !/^[1-9]\d{0,18}$/.test(customer)) {
    return { refusal: errorAnswer(400, "invalid_customer", "logged_in_customer_id is not a customer id.") };
  }
  const customerId = customer === "" ? null : BigInt(customer);
  // Shopify's ids are 64-bit signed integers.
  if (customerId !== null && customerId > MAX_SHOPIFY_ID) {
    return { refusal: errorAnswer(400, "invalid_customer", "logged_in_customer_id is out of range.") };
  }
  return { caller: { shop, customerId } };
}

/**
 * Shopify's check of the proxy's signature (as authenticate.public.appProxy makes it, without the
 * offline-session read that follows it there). An empty `index` parameter is left out first, as
 * the library does; a signature that covers it (`index=` signed like any other parameter) is
 * taken too: either way the signature is Shopify's. A missing or stale timestamp is refused.
 */
function signatureIsValid(query: URLSearchParams): boolean {
  if (query.has("index") && !query.get("index")) {
    const withoutIndex = new URLSearchParams(query);
    withoutIndex.delete("index");
    return validateProxySignature(withoutIndex) || validateProxySignature(query);
  }
  return validateProxySignature(query);
}

/** Runs a proxy handler, turning refused authentication into its JSON response. */
export async function withProxyCaller(request: Request, handler: (caller: ProxyCaller) => Promise<Response>): Promise<Response> {
  const url = new URL(request.url);
  const { caller, refusal } = authenticateProxyQuery(url.search, url.pathname);
  return refusal ? responseOf(refusal) : handler(caller);
}

/** The action of a proxy endpoint the storefront only reads. */
export const getOnly = () => errorResponse(405, "method_not_allowed", "This endpoint answers GET only.", { Allow: "GET, HEAD" });
