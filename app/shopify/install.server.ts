// An install or reinstall through OAuth (shopify.server.ts afterAuth): the shop is active again,
// its default rewards are priced in its own currency, the segment metafields get their
// definitions, and the storefront's metafields follow.
import db from "~/db.server";
import { logger } from "~/logger.server";
import { markInstalled } from "~/loyalty/shops.server";
import type { AdminGraphql } from "./admin-graphql";
import { createSegmentDefinitions } from "./segment-definitions.server";
import { fetchShopFacts } from "./shop-facts.server";
import { forgetSessionState, requestSummarySync } from "./summary-sync-request.server";

export async function recordInstall(shop: string, graphql: AdminGraphql): Promise<void> {
  // Without the facts the install still goes ahead: the first order names the currency.
  const facts = await fetchShopFacts(graphql).catch((error: unknown) => {
    logger.warn({ err: error, shop }, "the shop's id and currency could not be read at install");
    return undefined;
  });
  await markInstalled(db, shop, facts);
  // Segments over Tally's metafields need their definitions; without them the install still holds.
  await createSegmentDefinitions(graphql).catch((error: unknown) => logger.warn({ err: error, shop }, "the segment metafield definitions could not be created at install"));
  forgetSessionState(shop);
  requestSummarySync(shop);
}
