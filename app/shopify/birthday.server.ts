// POST …/birthday { month, day }, from the storefront (app proxy) and from the customer-account
// Rewards page (extension session token): the signed-in shopper gives their birthday, once.
import { z } from "zod";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { birthdayOf } from "~/loyalty/birthdays";
import { setBirthday } from "~/loyalty/birthdays.server";
import type { ShopifyId } from "~/loyalty/shopify-id";
import { customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { readJsonBody } from "./request-body.server";
import { errorResponse, jsonResponse } from "./responses";

const birthdayBody = z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) });

/** Sets the customer's birthday from the request's body; answers the customer's view, or why not. */
export async function giveBirthday(request: Request, shop: string, customerId: ShopifyId | null): Promise<Response> {
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
}
