// Stands in for Shopify at the HTTP boundary: webhooks signed as Shopify signs them (HMAC-SHA256
// of the raw body, base64, with the app secret) and app proxy requests signed as the proxy
// signs them (HMAC-SHA256 hex of the sorted "key=value" pairs, joined without separators).
import { createHmac, randomUUID } from "node:crypto";
import { getHmac } from "@shopify/shopify-api/test-helpers";

export const TEST_SHOP = "tally-test.myshopify.com";
export const TEST_API_KEY = "tally-test-api-key";
export const TEST_API_SECRET = "tally-test-api-secret";
export const TEST_API_VERSION = "2026-10";

export interface WebhookOptions {
  shop?: string;
  secret?: string;
  webhookId?: string;
  /** X-Shopify-Event-Id (default: a new one per delivery); null: no such header. */
  eventId?: string | null;
  apiVersion?: string;
  /** Send this body instead of JSON.stringify(payload) (truncated JSON, say). */
  rawBody?: string;
  /** Sign with this instead of the body's real HMAC (a forgery). */
  hmac?: string;
}

export function webhookHeaders(topic: string, body: string, options: WebhookOptions = {}): Record<string, string> {
  const secret = options.secret ?? TEST_API_SECRET;
  const eventId = options.eventId === undefined ? randomUUID() : options.eventId;
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": options.hmac ?? getHmac(body, secret),
    "X-Shopify-Shop-Domain": options.shop ?? TEST_SHOP,
    "X-Shopify-API-Version": options.apiVersion ?? TEST_API_VERSION,
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    ...(eventId === null ? {} : { "X-Shopify-Event-Id": eventId }),
  };
}

export function signedWebhookRequest(baseUrl: string, uri: string, topic: string, payload: unknown, options: WebhookOptions = {}): Request {
  const body = options.rawBody ?? JSON.stringify(payload);
  return new Request(new URL(uri, baseUrl), { method: "POST", headers: webhookHeaders(topic, body, options), body });
}

export interface ProxyOptions {
  shop?: string;
  customerId?: number | bigint | null;
  secret?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  extra?: Record<string, string>;
  /**
   * Values the shopper put in the storefront URL for a key the proxy also sets: they come first
   * in the query, and Shopify signs a repeated key as its values joined by ",".
   */
  addedBefore?: Record<string, string[]>;
}

/** The query Shopify's app proxy appends to a storefront request before forwarding it. */
export function signedProxyQuery(storefrontPathPrefix: string, options: ProxyOptions = {}): URLSearchParams {
  const params: Record<string, string> = {
    ...options.extra,
    shop: options.shop ?? TEST_SHOP,
    logged_in_customer_id: options.customerId == null ? "" : String(options.customerId),
    path_prefix: storefrontPathPrefix,
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  const values: Record<string, string[]> = Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, [...(options.addedBefore?.[key] ?? []), value]]),
  );
  const message = Object.keys(values)
    .sort()
    .map((key) => `${key}=${values[key].join(",")}`)
    .join("");
  const signature = createHmac("sha256", options.secret ?? TEST_API_SECRET).update(message).digest("hex");
  const query = new URLSearchParams();
  for (const [key, list] of Object.entries(values)) for (const value of list) query.append(key, value);
  query.set("signature", signature);
  return query;
}

export interface SessionTokenOptions {
  shop?: string;
  /** The signed-in customer (`sub`); null for a guest. */
  customerId?: number | bigint | null;
  secret?: string;
  apiKey?: string;
  /** Seconds from now until it expires (negative: already expired). */
  expiresIn?: number;
  /** `dest` as checkout sends it (the bare domain) or as customer accounts do (with https://). */
  destWithProtocol?: boolean;
}

/**
 * A session token as Shopify gives customer-account and checkout extensions: an HS256 JWT signed
 * with the app secret, the shop in `dest` and the customer's GID in `sub` when signed in.
 */
export function extensionSessionToken(options: SessionTokenOptions = {}): string {
  const shop = options.shop ?? TEST_SHOP;
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: `https://${shop}/admin`,
    dest: options.destWithProtocol === false ? shop : `https://${shop}`,
    aud: options.apiKey ?? TEST_API_KEY,
    exp: now + (options.expiresIn ?? 300),
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    ...(options.customerId == null ? {} : { sub: `gid://shopify/Customer/${options.customerId}` }),
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}`;
  const signature = createHmac("sha256", options.secret ?? TEST_API_SECRET).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}
