// Requests from Tally's customer-account, thank-you and checkout extensions: Shopify's session
// token as a bearer token, signed with the app secret (verified by Shopify's library). The shop
// comes only from the `dest` claim and the customer only from `sub` (absent for a guest).
//
// authenticate.public.customerAccount / .checkout make the same check but first answer 410 to
// any user agent `isbot` lists, Node's own fetch ("node") included; extension sandboxes are
// browsers, and a server-side client of these endpoints is as legitimate, so the token alone
// decides here. CORS is answered as the library does: extensions run on Shopify's origins.
import { logger } from "~/logger.server";
import { MAX_SHOPIFY_ID, type ShopifyId } from "~/loyalty/shopify-id";
import { sessionTokens } from "~/shopify.server";
import { errorResponse } from "./responses";
import { isShopDomain } from "./shop-domain";

export interface ExtensionCaller {
  shop: string;
  /** The signed-in customer (`sub`), or null for a guest. */
  customerId: ShopifyId | null;
}

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
};

/** The response with the headers a cross-origin extension needs to read it. */
export function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

/** The shop of a `dest` claim: "shop.myshopify.com" or "https://shop.myshopify.com". */
function shopOf(dest: unknown): string | null {
  if (typeof dest !== "string") return null;
  const host = dest.replace(/^https:\/\//, "").split("/")[0].toLowerCase();
  return isShopDomain(host) ? host : null;
}

function customerOf(sub: unknown): ShopifyId | null | undefined {
  if (sub === undefined || sub === null || sub === "") return null;
  const match = typeof sub === "string" ? /^gid:\/\/shopify\/Customer\/([1-9]\d{0,18})$/.exec(sub) : null;
  if (!match) return undefined;
  const id = BigInt(match[1]);
  return id > MAX_SHOPIFY_ID ? undefined : id;
}

/**
 * Runs `handler` for a request with a valid extension session token; answers a CORS preflight,
 * and refuses a missing, forged or expired token with 401 (JSON, CORS headers included).
 */
export async function withExtensionCaller(request: Request, handler: (caller: ExtensionCaller) => Promise<Response>): Promise<Response> {
  if (request.method === "OPTIONS") return withCors(new Response(null, { status: 204, headers: { "Access-Control-Max-Age": "7200" } }));
  const header = request.headers.get("Authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return withCors(errorResponse(401, "missing_session_token", "Send Shopify's session token as `Authorization: Bearer <token>`."));
  let payload: Record<string, unknown>;
  try {
    payload = (await sessionTokens.decodeSessionToken(token, { checkAudience: false })) as unknown as Record<string, unknown>;
  } catch {
    logger.info({ path: new URL(request.url).pathname }, "extension session token refused");
    return withCors(errorResponse(401, "invalid_session_token", "The session token is invalid or has expired."));
  }
  const shop = shopOf(payload.dest);
  const customerId = customerOf(payload.sub);
  if (shop === null || customerId === undefined) {
    return withCors(errorResponse(401, "invalid_session_token", "The session token names no shop or no valid customer."));
  }
  return withCors(await handler({ shop, customerId }));
}
