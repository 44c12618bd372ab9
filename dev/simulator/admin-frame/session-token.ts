// Session tokens as the Shopify admin gives an embedded app (App Bridge's `idToken()`, the
// `id_token` parameter): HS256 JWTs signed with the app secret, valid for a minute, shaped as
// @shopify/shopify-api/test-helpers' getJwt builds them.
import { createHmac, randomUUID } from "node:crypto";

/** Shopify's admin tokens live for 60 seconds; App Bridge fetches a new one when it is near. */
export const ADMIN_TOKEN_LIFETIME_SECONDS = 60;

/** The staff member the local admin signs in as (Shopify's test helpers use the same id). */
export const STAND_IN_USER_ID = "12345";

export interface AdminSessionTokenOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  /** Seconds until it expires (negative: already expired). */
  expiresIn?: number;
}

export function adminSessionToken(options: AdminSessionTokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    sub: options.userId ?? STAND_IN_USER_ID,
    exp: now + (options.expiresIn ?? ADMIN_TOKEN_LIFETIME_SECONDS),
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}`;
  return `${unsigned}.${createHmac("sha256", options.apiSecret).update(unsigned).digest("base64url")}`;
}

/** The `host` parameter the admin adds: base64 of the admin's address for the store. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64");
}
