// The app proxy's signature, checked as Shopify's library checks it (`api.utils.validateHmac`
// with the `appProxy` signator, @shopify/shopify-api 15): the same canonical string, the same
// single-value parameters, the same 90-second clock tolerance, the same exact comparison of
// lowercase hex. The library computes the HMAC through WebCrypto, which costs 70–130 µs a check
// here against about 12 µs with node:crypto, and every storefront read pays it (a quarter of a
// signed read's CPU). test/unit/app-proxy-signature.test.ts holds the two to the same verdict
// (a signature in Shopify's documented code-point order is accepted as well, below).
import { createHmac, timingSafeEqual } from "node:crypto";

/** Parameters Shopify's library refuses to see twice in a proxy query. */
const SINGLE_VALUE_PARAMETERS = new Set(["hmac", "shop", "signature", "timestamp"]);
const CLOCK_TOLERANCE_SECONDS = 90;

/**
 * Whether `query` carries Shopify's app-proxy signature made with `secret`, at most 90 seconds
 * from `nowMs`. A repeated value is signed as the values joined by commas; `signature` and
 * `hmac` are not part of the signed string.
 */
export function proxySignatureIsValid(query: URLSearchParams, secret: string, nowMs = Date.now()): boolean {
  const values = new Map<string, string>();
  for (const [key, value] of query) {
    const earlier = values.get(key);
    if (earlier === undefined) values.set(key, value);
    else if (SINGLE_VALUE_PARAMETERS.has(key)) return false;
    else values.set(key, `${earlier},${value}`);
  }
  const signature = values.get("signature");
  const timestamp = values.get("timestamp");
  if (!signature || timestamp === undefined) return false;
  const signedAt = Number(timestamp);
  if (!Number.isInteger(signedAt) || Math.abs(Math.trunc(nowMs / 1000) - signedAt) > CLOCK_TOLERANCE_SECONDS) return false;
  values.delete("signature");
  values.delete("hmac");
  // The library orders keys with localeCompare; Shopify's own documented signer sorts the
  // "key=value" strings by code point. The two differ only for unusual keys (capitals,
  // punctuation: "Ref", "path-x"), and a signature made either way is made with the secret.
  const pairs = [...values].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`);
  const libraryOrder = pairs.join("");
  if (signatureMatches(libraryOrder, signature, secret)) return true;
  const codePointOrder = pairs.sort().join("");
  return codePointOrder !== libraryOrder && signatureMatches(codePointOrder, signature, secret);
}

function signatureMatches(signed: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(createHmac("sha256", secret).update(signed).digest("hex"));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
