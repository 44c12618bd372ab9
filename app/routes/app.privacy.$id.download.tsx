// A data request's export as the JSON file the merchant sends the customer: the stored text,
// byte for byte (64-bit ids included).
import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { dataRequestId, findDataRequest } from "~/loyalty/data-requests.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = dataRequestId(params.id);
  const found = id === null ? null : await findDataRequest(db, session.shop, id);
  if (!found) throw new Response("Not found", { status: 404 });
  return new Response(found.json, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="tally-data-request-${found.id}-customer-${found.customerId}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
