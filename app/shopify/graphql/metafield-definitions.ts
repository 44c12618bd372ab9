// A customer metafield definition: what makes a metafield usable as a filter in Shopify's
// customer segment editor (and visible on the customer page). Created at install for the
// segment metafields the storefront sync writes (tally.balance, tally.pending, tally.tier).
export const CREATE_METAFIELD_DEFINITION = `#graphql
  mutation CreateMetafieldDefinition($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
