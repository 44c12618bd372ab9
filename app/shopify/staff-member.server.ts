// Who on the merchant's staff made an admin request, as the ledger records it: "staff:<user id>"
// from the session token's `sub` (the Shopify user id, the same in every session token of theirs),
// with their name when Shopify has given one through an online session stored for them.
import type { Db } from "~/db.server";

export async function staffActor(db: Db, shop: string, sessionToken: { sub?: string } | undefined): Promise<string> {
  const userId = sessionToken?.sub && /^\d{1,19}$/.test(sessionToken.sub) ? sessionToken.sub : null;
  if (!userId) return "staff:unknown";
  const online = await db.session.findFirst({ where: { shop, userId: BigInt(userId) }, select: { firstName: true, lastName: true, email: true } });
  const name = [online?.firstName, online?.lastName].filter(Boolean).join(" ") || online?.email;
  return name ? `staff:${userId} ${name}` : `staff:${userId}`;
}
