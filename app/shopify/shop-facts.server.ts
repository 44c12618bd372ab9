// The shop's GraphQL id and currency, from the Admin API.
import { z } from "zod";
import { isKnownCurrency } from "~/loyalty/money";
import type { ShopFacts } from "~/loyalty/shops.server";
import type { AdminGraphql } from "./admin-graphql";
import { SHOP_FACTS } from "./graphql/shop-facts";

const shopFactsAnswer = z.object({
  data: z.object({ shop: z.object({ id: z.string().startsWith("gid://shopify/Shop/"), currencyCode: z.string(), ianaTimezone: z.string().nullish() }) }),
});

function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export async function fetchShopFacts(graphql: AdminGraphql): Promise<ShopFacts & { shopifyGid: string }> {
  const answer = shopFactsAnswer.safeParse(await (await graphql(SHOP_FACTS)).json());
  if (!answer.success) throw new Error("the Admin API did not return the shop's id and currency");
  const { id, currencyCode, ianaTimezone } = answer.data.data.shop;
  // A code the app cannot price in is left for the first order's shop_money to settle.
  return { shopifyGid: id, currency: isKnownCurrency(currencyCode) ? currencyCode : null, timezone: isTimeZone(ianaTimezone) ? ianaTimezone : null };
}
