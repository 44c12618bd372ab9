// Writes app-owned metafields the theme extension reads for its first paint: each member's
// loyalty summary on the customer, the public program on the shop. metafieldsSet takes up to 25
// and is atomic: when one metafield is refused (elementIndex names it), none is written.
export const SET_METAFIELDS = `#graphql
  mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        ownerType
        key
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

export const METAFIELDS_PER_MUTATION = 25;

/** Customer $app:tally.summary (JSON): balance, tier progress, referral link. */
export const SUMMARY_METAFIELD = { namespace: "$app:tally", key: "summary", type: "json" } as const;
/** Shop $app:tally.program (JSON): the public program, as GET /apps/tally/program answers it. */
export const PROGRAM_METAFIELD = { namespace: "$app:tally", key: "program", type: "json" } as const;

export function customerGid(customerId: bigint): string {
  return `gid://shopify/Customer/${customerId}`;
}
