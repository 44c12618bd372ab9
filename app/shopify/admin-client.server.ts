// The Admin GraphQL client for a shop, through its offline session (Shopify's library loads and
// refreshes it), or null when the shop has none (not installed through OAuth, or uninstalled).
import { runtimeEnv } from "~/runtime-env.server";
import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./admin-graphql";

/**
 * Clients kept per worker as long as the shop cache keeps a shop (SHOP_CACHE_TTL_MS; 0: never),
 * and never past a minute before the session's token expires: loading the session is a database
 * read through Prisma, about a tenth of a redeem's CPU. A token revoked meanwhile fails the call
 * with a 401, which every caller already handles as a refused token.
 */
const clients = new Map<string, { graphql: AdminGraphql; until: number }>();
const KEPT_MS = runtimeEnv.shopCacheTtlMs;
const BEFORE_EXPIRY_MS = 60_000;

export async function adminGraphqlFor(shop: string): Promise<AdminGraphql | null> {
  const kept = clients.get(shop);
  if (kept && kept.until > Date.now()) return kept.graphql;
  clients.delete(shop);
  try {
    const { admin, session } = await unauthenticated.admin(shop);
    if (KEPT_MS > 0) {
      const expires = session.expires ? session.expires.getTime() - BEFORE_EXPIRY_MS : Number.POSITIVE_INFINITY;
      clients.set(shop, { graphql: admin.graphql, until: Math.min(Date.now() + KEPT_MS, expires) });
    }
    return admin.graphql;
  } catch (error) {
    if ((error as Error).name === "SessionNotFoundError" || /Could not find a session/.test(String(error))) return null;
    throw error;
  }
}

/** Drops the shop's client (its session was deleted: the app was uninstalled or the shop redacted). */
export function forgetAdminClient(shop: string): void {
  clients.delete(shop);
}
