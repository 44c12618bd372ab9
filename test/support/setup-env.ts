// The environment the app parses at start (app/env.server.ts), as a test shop would have it.
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY = TEST_API_KEY;
process.env.SHOPIFY_API_SECRET = TEST_API_SECRET;
process.env.SHOPIFY_APP_URL = "https://tally.test";
process.env.SCOPES = "read_orders,read_customers,write_customers,write_discounts,read_store_credit_accounts,write_store_credit_account_transactions,read_store_credit_account_transactions,write_app_proxy";
process.env.LOG_LEVEL ??= "silent";
// Tests change programs and tiers straight in the database and expect the next delivery to see it.
process.env.SHOP_CACHE_TTL_MS = "0";
process.env.SHOPIFY_CALL_TIMEOUT_MS ??= "1000";
