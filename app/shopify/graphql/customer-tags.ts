// A member's tier tag (`tally-tier-<handle>`, app/loyalty/tier-segments.ts) on the customer, for
// segments and Flow. Adding a tag the customer has, or removing one they do not, changes nothing.
export const ADD_CUSTOMER_TAGS = `#graphql
  mutation AddCustomerTags($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const REMOVE_CUSTOMER_TAGS = `#graphql
  mutation RemoveCustomerTags($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export interface CustomerTagsAnswer {
  tagsAdd?: { userErrors: { field: string[] | null; message: string }[] } | null;
  tagsRemove?: { userErrors: { field: string[] | null; message: string }[] } | null;
}
