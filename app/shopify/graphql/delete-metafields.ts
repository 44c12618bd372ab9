// Removes metafields that no longer have a value (a member's `tally.tier` once they hold no
// tier: Shopify refuses a blank value). Deleting one that does not exist is not an error.
export const DELETE_METAFIELDS = `#graphql
  mutation DeleteMetafields($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface DeleteMetafieldsAnswer {
  metafieldsDelete: { userErrors: { field: string[] | null; message: string }[] } | null;
}
