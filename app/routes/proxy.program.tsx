import { createHash } from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { cachedPublicProgram, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { getOnly, withProxyCaller } from "~/shopify/app-proxy.server";

const CACHE_CONTROL = "public, max-age=60";

// GET /apps/tally/program on the storefront: the public program, no customer data. Cacheable by
// browsers and Shopify's proxy for a minute, and revalidated with its ETag (304 when unchanged).
export const loader = ({ request }: LoaderFunctionArgs) =>
  withProxyCaller(request, async ({ shop }) => {
    const body = JSON.stringify({ version: STOREFRONT_API_VERSION, program: await cachedPublicProgram(db, shop) });
    const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
    const headers = { "Cache-Control": CACHE_CONTROL, ETag: etag };
    const asked = request.headers.get("If-None-Match") ?? "";
    if (asked.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers });
    return new Response(body, { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
  });

export const action = getOnly;
