// Which Shopify customer an email belongs to, asked of the Admin API in batches. Shopify's search
// matches more loosely than equality, so only customers whose address is the email (ignoring
// case) count; two such customers make the email ambiguous and it is not imported.
import { z } from "zod";
import type { CustomerMatch, EmailLookup } from "~/loyalty/csv-import.server";
import type { AdminGraphql } from "./admin-graphql";
import { CUSTOMERS_BY_EMAIL } from "./graphql/customers-by-email";

/** Addresses per search: Shopify's search query stays well under its length limit. */
export const EMAILS_PER_SEARCH = 25;

const answer = z.object({
  data: z.object({
    customers: z.object({
      nodes: z.array(
        z.object({
          legacyResourceId: z.string().regex(/^\d+$/),
          firstName: z.string().nullish(),
          lastName: z.string().nullish(),
          defaultEmailAddress: z.object({ emailAddress: z.string().nullish() }).nullish(),
        }),
      ),
    }),
  }),
});

// Search syntax: a quoted value, its own quotes and backslashes escaped.
const quoted = (email: string) => `"${email.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export function shopifyEmailLookup(graphql: AdminGraphql): EmailLookup {
  return async (emails) => {
    const found = new Map<string, CustomerMatch | "ambiguous">();
    for (let start = 0; start < emails.length; start += EMAILS_PER_SEARCH) {
      const batch = emails.slice(start, start + EMAILS_PER_SEARCH);
      const query = batch.map((email) => `email:${quoted(email)}`).join(" OR ");
      const parsed = answer.safeParse(await (await graphql(CUSTOMERS_BY_EMAIL, { variables: { query, first: Math.min(250, batch.length * 2) } })).json());
      if (!parsed.success) throw new Error("the Admin API did not answer the customer search");
      const wanted = new Set(batch.map((email) => email.toLowerCase()));
      for (const node of parsed.data.data.customers.nodes) {
        const address = node.defaultEmailAddress?.emailAddress?.toLowerCase();
        if (!address || !wanted.has(address)) continue;
        const match: CustomerMatch = { customerId: BigInt(node.legacyResourceId), firstName: node.firstName ?? null, lastName: node.lastName ?? null };
        const earlier = found.get(address);
        found.set(address, earlier && (earlier === "ambiguous" || earlier.customerId !== match.customerId) ? "ambiguous" : match);
      }
    }
    return found;
  };
}
