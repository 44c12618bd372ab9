import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { getOnly, withProxyCaller } from "~/shopify/app-proxy.server";
import { jsonResponse } from "~/shopify/responses";

// GET /apps/tally/customer on the storefront: the signed-in shopper's balance and tier.
export const loader = ({ request }: LoaderFunctionArgs) =>
  withProxyCaller(request, async ({ shop, customerId }) =>
    jsonResponse(
      { version: STOREFRONT_API_VERSION, ...(await customerView(db, sql(), shop, customerId)) },
      { headers: { "Cache-Control": "private, no-store" } },
    ),
  );

export const action = getOnly;
