// Discount codes for redeemed rewards: one code per redemption, chosen by the app before the
// call (so that an unknown outcome can be looked up by code and settled), restricted to the
// member's customer through `context` (customerSelection is deprecated), usable once.
const USER_ERRORS = `userErrors {
        field
        message
        code
      }`;

/** Amount off, percentage off and free product codes. */
export const CREATE_BASIC_CODE = `#graphql
  mutation CreateBasicCode($discount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $discount) {
      codeDiscountNode {
        id
      }
      ${USER_ERRORS}
    }
  }
`;

export const CREATE_FREE_SHIPPING_CODE = `#graphql
  mutation CreateFreeShippingCode($discount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $discount) {
      codeDiscountNode {
        id
      }
      ${USER_ERRORS}
    }
  }
`;

/** Whether a code exists, and whether an order used it (asyncUsageCount). */
export const CODE_DISCOUNT_BY_CODE = `#graphql
  query CodeDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic {
          codes(first: 1) {
            nodes {
              code
              asyncUsageCount
            }
          }
        }
        ... on DiscountCodeFreeShipping {
          codes(first: 1) {
            nodes {
              code
              asyncUsageCount
            }
          }
        }
      }
    }
  }
`;
