import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOnly } from "~/shopify/app-proxy.server";
import { responseOf } from "~/shopify/responses";
import { programRead } from "~/shopify/storefront-reads.server";

// GET /apps/tally/program on the storefront: the public program, no customer data, cacheable
// for a minute and revalidated with its ETag.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  return responseOf(await programRead(url.search, request.headers.get("If-None-Match"), url.pathname));
};

export const action = getOnly;
