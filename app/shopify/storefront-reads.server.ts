// The storefront's two reads through the app proxy, GET /apps/tally/customer and
// /apps/tally/program, as plain answers. Their Remix routes (app/routes/proxy.customer.tsx,
// proxy.program.tsx) turn them into Responses; server.js writes them to the socket directly for
// the exact paths, which is what a shop's page views take: no Request, Headers or Response
// objects, which cost more than the read itself.
import { createHash } from "node:crypto";
import db from "~/db.server";
import { cachedPublicProgram, customerView, publicProgramJson, STOREFRONT_API_VERSION, type PublicProgram } from "~/loyalty/storefront.server";
import { sql } from "~/sql.server";
import { authenticateProxyQuery } from "./app-proxy.server";
import { jsonTextAnswer, type PlainAnswer } from "./responses";

const PROGRAM_CACHE_CONTROL = "public, max-age=60";

/** GET /apps/tally/customer: the signed-in shopper's balance and tier, with the public program. */
export async function customerRead(search: string, path = "/proxy/customer"): Promise<PlainAnswer> {
  const { caller, refusal } = authenticateProxyQuery(search, path);
  if (refusal) return refusal;
  const { member, program } = await customerView(db, sql(), caller.shop, caller.customerId);
  // JSON.stringify({ version, member, program }), with the program's text made once per cached program.
  const json = `{"version":${STOREFRONT_API_VERSION},"member":${JSON.stringify(member)},"program":${publicProgramJson(program)}}`;
  return jsonTextAnswer(200, json, { "cache-control": "private, no-store" });
}

/**
 * GET /apps/tally/program: the public program, no customer data. Cacheable by browsers and
 * Shopify's proxy for a minute, and revalidated with its ETag (304 when unchanged).
 */
export async function programRead(search: string, ifNoneMatch: string | null, path = "/proxy/program"): Promise<PlainAnswer> {
  const { caller, refusal } = authenticateProxyQuery(search, path);
  if (refusal) return refusal;
  const { json, etag } = programAnswerOf(await cachedPublicProgram(db, caller.shop));
  const headers = { "cache-control": PROGRAM_CACHE_CONTROL, etag };
  if (ifNoneMatch !== null && matchesEtag(ifNoneMatch, etag)) return { status: 304, headers, body: null };
  return jsonTextAnswer(200, json, headers);
}

/** If-None-Match (RFC 9110 §13.1.2, weak comparison): "*" or a list naming `etag`. */
function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

const programAnswers = new WeakMap<PublicProgram, { json: string; etag: string }>();

/** The /program answer's text and ETag, made once per cached program. */
function programAnswerOf(program: PublicProgram): { json: string; etag: string } {
  let answer = programAnswers.get(program);
  if (!answer) {
    const json = `{"version":${STOREFRONT_API_VERSION},"program":${publicProgramJson(program)}}`;
    programAnswers.set(program, (answer = { json, etag: `"${createHash("sha1").update(json).digest("base64url")}"` }));
  }
  return answer;
}

/** What server.js serves without Remix: exact path → the read, given the query and If-None-Match. */
export const storefrontReads = new Map<string, (search: string, ifNoneMatch: string | null) => Promise<PlainAnswer>>([
  ["/proxy/customer", (search) => customerRead(search)],
  ["/proxy/program", (search, ifNoneMatch) => programRead(search, ifNoneMatch)],
]);
