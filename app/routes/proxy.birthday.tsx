import type { ActionFunctionArgs } from "@remix-run/node";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { giveBirthday } from "~/shopify/birthday.server";
import { errorResponse } from "~/shopify/responses";

// POST /apps/tally/birthday { month, day }: the signed-in shopper gives their birthday, once.
export const action = ({ request }: ActionFunctionArgs) => withProxyCaller(request, ({ shop, customerId }) => giveBirthday(request, shop, customerId));

export const loader = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
