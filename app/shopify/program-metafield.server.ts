// Keeps the shop metafield $app:tally.program equal to the public program (GET /apps/tally/program),
// so visitors see ways to earn and rewards before any request. Written when it differs from what
// was last written (a hash on the shop row), so calling this often costs two reads.
import { createHash } from "node:crypto";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { publicProgram } from "~/loyalty/storefront.server";
import type { AdminGraphql } from "./admin-graphql";
import { PROGRAM_METAFIELD, SET_METAFIELDS } from "./graphql/set-metafields";
import { SHOP_ID } from "./graphql/shop-id";

export type ProgramPublication = "unchanged" | "written" | "failed";

export async function publishProgramIfChanged(shop: string, graphql: AdminGraphql): Promise<ProgramPublication> {
  const value = JSON.stringify(await publicProgram(db, shop));
  const hash = createHash("sha256").update(value).digest("base64url");
  const row = await db.shop.findUniqueOrThrow({ where: { domain: shop }, select: { shopifyGid: true, programPublishedHash: true } });
  if (row.programPublishedHash === hash) return "unchanged";
  try {
    const ownerId = row.shopifyGid ?? (await fetchShopGid(shop, graphql));
    const response = await graphql(SET_METAFIELDS, { variables: { metafields: [{ ownerId, ...PROGRAM_METAFIELD, value }] } });
    const body = (await response.json()) as { data?: { metafieldsSet?: { userErrors: unknown[] } } };
    const userErrors = body.data?.metafieldsSet?.userErrors;
    if (!userErrors || userErrors.length > 0) {
      logger.warn({ shop, userErrors }, "the program metafield was refused; will retry");
      return "failed";
    }
  } catch (error) {
    logger.warn({ err: error, shop }, "writing the program metafield failed; will retry");
    return "failed";
  }
  await db.shop.update({ where: { domain: shop }, data: { programPublishedHash: hash } });
  return "written";
}

async function fetchShopGid(shop: string, graphql: AdminGraphql): Promise<string> {
  const body = (await (await graphql(SHOP_ID)).json()) as { data?: { shop?: { id?: string } } };
  const gid = body.data?.shop?.id;
  if (!gid) throw new Error("the Admin API did not return the shop's id");
  await db.shop.update({ where: { domain: shop }, data: { shopifyGid: gid } });
  return gid;
}
