import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { giveBirthday } from "~/shopify/birthday.server";
import { withExtensionCaller } from "~/shopify/extension-auth.server";
import { errorResponse } from "~/shopify/responses";

// POST /extensions/birthday { month, day }: as POST /apps/tally/birthday, from the customer-account Rewards page.
export const action = ({ request }: ActionFunctionArgs) => withExtensionCaller(request, ({ shop, customerId }) => giveBirthday(request, shop, customerId));

export const loader = ({ request }: LoaderFunctionArgs) =>
  withExtensionCaller(request, async () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" }));
