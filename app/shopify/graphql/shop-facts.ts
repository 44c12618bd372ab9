// What the app learns about a shop from the Admin API: its GraphQL id (the owner of shop
// metafields), its currency (what rewards are priced in before any order has named it) and its
// time zone (the days birthdays fall on).
export const SHOP_FACTS = `#graphql
  query ShopFacts {
    shop {
      id
      currencyCode
      ianaTimezone
    }
  }
`;
