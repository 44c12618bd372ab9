// Shopify's native store credit for redeemed rewards. Crediting is not idempotent, so an
// unknown outcome is settled by reading the customer's recent credit transactions before
// crediting again (app/shopify/reward-issuer.server.ts).
export const CREDIT_STORE_CREDIT = `#graphql
  mutation CreditStoreCredit($id: ID!, $credit: StoreCreditAccountCreditInput!) {
    storeCreditAccountCredit(id: $id, creditInput: $credit) {
      storeCreditAccountTransaction {
        id
        amount {
          amount
          currencyCode
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** The newest transactions of each of the customer's store credit accounts (one per currency). */
export const RECENT_STORE_CREDITS = `#graphql
  query RecentStoreCredits($customerId: ID!) {
    customer(id: $customerId) {
      storeCreditAccounts(first: 10) {
        nodes {
          id
          transactions(first: 50, sortKey: CREATED_AT, reverse: true) {
            nodes {
              __typename
              createdAt
              amount {
                amount
                currencyCode
              }
              ... on StoreCreditAccountCreditTransaction {
                id
              }
            }
          }
        }
      }
    }
  }
`;
