// Shop metafields are owned by the shop's GraphQL id, which only the Admin API knows.
export const SHOP_ID = `#graphql
  query ShopId {
    shop {
      id
    }
  }
`;
