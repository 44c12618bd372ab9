// Storefront requests arrive through Shopify's app proxy, signed. The shop and the customer
// come only from the signed query parameters (Shopify's library checks the signature and refuses
// a timestamp more than 90 seconds off), never from the body or anything unsigned.
import { InvalidHmacError } from "@shopify/shopify-api";
import { logger } from "~/logger.server";
import { MAX_SHOPIFY_ID, type ShopifyId } from "~/loyalty/shopify-id";
import { validateProxySignature } from "~/shopify.server";
import { errorResponse } from "./responses";
import { isShopDomain } from "./shop-domain";

export interface ProxyCaller {
  shop: string;
  /** The signed-in customer's numeric id, or null for a visitor who is logged out. */
  customerId: ShopifyId | null;
}

export class ProxyAuthError extends Error {
  constructor(readonly response: Response) {
    super("app proxy request refused");
  }
}

/**
 * The parameters the proxy adds and signs, each exactly once. Shopify signs a repeated key as its
 * values joined by commas, so `?logged_in_customer_id=<someone else>` added to the storefront URL
 * next to the proxy's own still verifies, while the first value is the one read: a signed-in
 * shopper could read another customer's account.
 */
const SINGLE_VALUE_PARAMETERS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"];

export async function authenticateProxy(request: Request): Promise<ProxyCaller> {
  const url = new URL(request.url);
  if (!url.searchParams.get("signature")) {
    throw new ProxyAuthError(errorResponse(401, "missing_signature", "This endpoint is only served through the Shopify app proxy."));
  }
  const repeated = SINGLE_VALUE_PARAMETERS.find((name) => url.searchParams.getAll(name).length > 1);
  if (repeated) {
    logger.warn({ path: url.pathname, parameter: repeated }, "app proxy request repeats a signed parameter; refused");
    throw new ProxyAuthError(errorResponse(400, "repeated_parameter", `The ${repeated} parameter appears more than once.`));
  }
  if (!(await signatureIsValid(url))) {
    logger.info({ path: url.pathname, shop: url.searchParams.get("shop") }, "app proxy signature refused");
    throw new ProxyAuthError(
      errorResponse(401, "invalid_signature", "The app proxy signature is invalid or has expired."),
    );
  }
  const shop = url.searchParams.get("shop");
  if (!isShopDomain(shop)) {
    throw new ProxyAuthError(errorResponse(400, "invalid_shop", "The signed shop is not a myshopify.com domain."));
  }
  const customer = url.searchParams.get("logged_in_customer_id") ?? "";
  if (customer !== "" && !/^[1-9]\d{0,18}$/.test(customer)) {
    throw new ProxyAuthError(errorResponse(400, "invalid_customer", "logged_in_customer_id is not a customer id."));
  }
  const customerId = customer === "" ? null : BigInt(customer);
  // Shopify's ids are 64-bit signed integers.
  if (customerId !== null && customerId > MAX_SHOPIFY_ID) {
    throw new ProxyAuthError(errorResponse(400, "invalid_customer", "logged_in_customer_id is out of range."));
  }
  return { shop, customerId };
}

/**
 * Shopify's check of the proxy's signature (`api.utils.validateHmac`, as authenticate.public.appProxy
 * calls it, without the offline-session read that follows it there). An empty `index` parameter
 * is left out first, as the library does. A missing or stale timestamp is a refused signature.
 */
async function signatureIsValid(url: URL): Promise<boolean> {
  const query = new URLSearchParams(url.search);
  if (!query.get("index")) query.delete("index");
  try {
    return await validateProxySignature(query);
  } catch (error) {
    if (error instanceof InvalidHmacError) return false;
    throw error;
  }
}

/** Runs a proxy handler, turning refused authentication into its JSON response. */
export async function withProxyCaller(request: Request, handler: (caller: ProxyCaller) => Promise<Response>): Promise<Response> {
  let caller: ProxyCaller;
  try {
    caller = await authenticateProxy(request);
  } catch (error) {
    if (error instanceof ProxyAuthError) return error.response;
    throw error;
  }
  return handler(caller);
}

/** The action of a proxy endpoint the storefront only reads. */
export const getOnly = () => errorResponse(405, "method_not_allowed", "This endpoint answers GET only.", { Allow: "GET" });
