// The storefront's two reads through the app proxy, GET /apps/tally/customer and
// /apps/tally/program, as plain answers. Their Remix routes (app/routes/proxy.customer.tsx,
// proxy.program.tsx) turn them into Responses; server.js writes them to the socket directly for
// the exact paths, which is what a shop's page views take: no Request, Headers or Response
// objects, which cost more than the read itself.
import { createHash } from "node:crypto";
import db from "~/db.server";
import { cachedPublicProgram, customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { sql } from "~/sql.server";
import { authenticateProxyQuery } from "./app-proxy.server";
import { jsonAnswer, type PlainAnswer } from "./responses";

const PROGRAM_CACHE_CONTROL = "public, max-age=60";

/** GET /apps/tally/customer: the signed-in shopper's balance and tier, with the public program. */
export async function customerRead(search: string, path = "/proxy/customer"): Promise<PlainAnswer> {
  const { caller, refusal } = authenticateProxyQuery(search, path);
  if (refusal) return refusal;
  const view = await customerView(db, sql(), caller.shop, caller.customerId);
  return jsonAnswer(200, { version: STOREFRONT_API_VERSION, ...view }, { "cache-control": "private, no-store" });
}

/**
 * GET /apps/tally/program: the public program, no customer data. Cacheable by browsers and
 * Shopify's proxy for a minute, and revalidated with its ETag (304 when unchanged).
 */
export async function programRead(search: string, ifNoneMatch: string | null, path = "/proxy/program"): Promise<PlainAnswer> {
  const { caller, refusal } = authenticateProxyQuery(search, path);
  if (refusal) return refusal;
  const answer = jsonAnswer(200, { version: STOREFRONT_API_VERSION, program: await cachedPublicProgram(db, caller.shop) });
  const headers = { "cache-control": PROGRAM_CACHE_CONTROL, etag: `"${createHash("sha1").update(answer.body!).digest("base64url")}"` };
  if ((ifNoneMatch ?? "").split(",").some((tag) => tag.trim().replace(/^W\//, "") === headers.etag)) return { status: 304, headers, body: null };
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

/** What server.js serves without Remix: exact path → the read, given the query and If-None-Match. */
export const storefrontReads = new Map<string, (search: string, ifNoneMatch: string | null) => Promise<PlainAnswer>>([
  ["/proxy/customer", (search) => customerRead(search)],
  ["/proxy/program", (search, ifNoneMatch) => programRead(search, ifNoneMatch)],
]);
