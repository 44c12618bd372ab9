import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOnly } from "~/shopify/app-proxy.server";
import { responseOf } from "~/shopify/responses";
import { customerRead } from "~/shopify/storefront-reads.server";

// GET /apps/tally/customer on the storefront: the signed-in shopper's balance and tier.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  return responseOf(await customerRead(url.search, url.pathname));
};

export const action = getOnly;
