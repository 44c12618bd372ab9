import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { birthdayOf } from "~/loyalty/birthdays";
import { setBirthday } from "~/loyalty/birthdays.server";
import { customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { readJsonBody } from "~/shopify/request-body.server";
import { errorResponse, jsonResponse } from "~/shopify/responses";

const birthdayBody = z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) });

// POST /apps/tally/birthday { month, day }: the signed-in shopper gives their birthday, once.
export const action = ({ request }: ActionFunctionArgs) =>
  withProxyCaller(request, async ({ shop, customerId }) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
    if (customerId === null) return errorResponse(400, "not_signed_in", "Sign in to give your birthday.");
    const body = await readJsonBody(request, birthdayBody);
    if (!body.ok) return body.response;
    const birthday = birthdayOf(body.value.month, body.value.day);
    if (birthday === null) return errorResponse(400, "invalid_body", "That day does not exist in that month.");
    if ((await setBirthday(db, shop, customerId, birthday)) === "already_set") {
      return errorResponse(409, "birthday_already_set", "Your birthday is already set; the shop can change it for you.");
    }
    return jsonResponse({ version: STOREFRONT_API_VERSION, ...(await customerView(db, sql(), shop, customerId)) }, { headers: { "Cache-Control": "private, no-store" } });
  });

export const loader = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
