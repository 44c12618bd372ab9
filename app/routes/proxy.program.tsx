import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { publicProgram, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { getOnly, withProxyCaller } from "~/shopify/app-proxy.server";
import { jsonResponse } from "~/shopify/responses";

// GET /apps/tally/program on the storefront: the public program, no customer data.
export const loader = ({ request }: LoaderFunctionArgs) =>
  withProxyCaller(request, async ({ shop }) =>
    jsonResponse(
      { version: STOREFRONT_API_VERSION, program: await publicProgram(db, shop) },
      { headers: { "Cache-Control": "public, max-age=60" } },
    ),
  );

export const action = getOnly;
