// Shopify customers by email, for points imported from another app's export (which names
// customers by email): one search for a batch of addresses (`email:"a" OR email:"b"`).
export const CUSTOMERS_BY_EMAIL = `#graphql
  query CustomersByEmail($query: String!, $first: Int!) {
    customers(first: $first, query: $query) {
      nodes {
        legacyResourceId
        firstName
        lastName
        defaultEmailAddress {
          emailAddress
        }
      }
    }
  }
`;
