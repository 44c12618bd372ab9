// Keeps the shop metafield $app:tally.program equal to the public program (GET /apps/tally/program),
// so visitors see ways to earn and rewards before any request. Written when it differs from what
// was last written (a hash on the shop row), so calling this often costs two reads.
import { createHash } from "node:crypto";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { recordShopFacts } from "~/loyalty/shops.server";
import { publicProgram } from "~/loyalty/storefront.server";
import type { AdminGraphql } from "./admin-graphql";
import { adminRequest, AdminRequestError } from "./admin-request.server";
import { PROGRAM_METAFIELD, SET_METAFIELDS } from "./graphql/set-metafields";
import { fetchShopFacts } from "./shop-facts.server";

export type ProgramPublication = "unchanged" | "written" | "failed";

export async function publishProgramIfChanged(shop: string, graphql: AdminGraphql): Promise<ProgramPublication> {
  const row = await db.shop.findUniqueOrThrow({ where: { domain: shop }, select: { shopifyGid: true, programPublishedHash: true } });
  // Learned once, before the program is read: a currency learned with it re-prices the rewards.
  const ownerId = row.shopifyGid ?? (await learnShopFacts(shop, graphql));
  if (!ownerId) return "failed";
  const value = JSON.stringify(await publicProgram(db, shop));
  const hash = createHash("sha256").update(value).digest("base64url");
  if (row.programPublishedHash === hash) return "unchanged";
  try {
    const { data } = await adminRequest<{ metafieldsSet: { userErrors: unknown[] } | null }>(graphql, SET_METAFIELDS, {
      metafields: [{ ownerId, ...PROGRAM_METAFIELD, value }],
    });
    const userErrors = data.metafieldsSet?.userErrors;
    if (!userErrors || userErrors.length > 0) {
      logger.warn({ shop, userErrors }, "the program metafield was refused; will retry");
      return "failed";
    }
  } catch (error) {
    // Throttling and a refused token concern every call for the shop: the caller decides.
    if (error instanceof AdminRequestError && error.kind !== "unavailable") throw error;
    logger.warn({ err: error, shop }, "writing the program metafield failed; will retry");
    return "failed";
  }
  await db.shop.update({ where: { domain: shop }, data: { programPublishedHash: hash } });
  return "written";
}

/** The shop's id (and currency), recorded on the shop; null when the Admin API did not say. */
async function learnShopFacts(shop: string, graphql: AdminGraphql): Promise<string | null> {
  try {
    const facts = await fetchShopFacts(graphql);
    await recordShopFacts(db, shop, facts);
    return facts.shopifyGid;
  } catch (error) {
    logger.warn({ err: error, shop }, "the shop's id could not be read; will retry");
    return null;
  }
}
