// The Admin GraphQL client for a shop, through its offline session (Shopify's library loads and
// refreshes it), or null when the shop has none (not installed through OAuth, or uninstalled).
import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./admin-graphql";

export async function adminGraphqlFor(shop: string): Promise<AdminGraphql | null> {
  try {
    return (await unauthenticated.admin(shop)).admin.graphql;
  } catch (error) {
    if ((error as Error).name === "SessionNotFoundError" || /Could not find a session/.test(String(error))) return null;
    throw error;
  }
}
