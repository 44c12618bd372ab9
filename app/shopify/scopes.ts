// The access scopes Tally asks a shop for, each with the feature that needs it: shopify.app.toml
// and the SCOPES variable must hold exactly these (npm run doctor checks both).
export const REQUIRED_SCOPES: Readonly<Record<string, string>> = {
  read_orders: "order webhooks (orders/paid, orders/updated, orders/cancelled, refunds/create) and reconciliation",
  read_customers: "customers/create, customers/update (newsletter sign-ups), and members' names and emails",
  write_customers: "the storefront summary metafield, the segment metafields (tally.*) and their definitions, and the tier tag on each customer",
  write_discounts: "discount codes for redeemed rewards and friend offers",
  read_store_credit_accounts: "settling a store credit reward whose answer from Shopify was lost",
  read_store_credit_account_transactions: "settling a store credit reward whose answer from Shopify was lost",
  write_store_credit_account_transactions: "store credit rewards",
  write_app_proxy: "the storefront's /apps/tally/* endpoints",
};
