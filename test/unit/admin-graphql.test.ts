// Every Admin GraphQL document the app sends is valid against the Admin API schema of the
// version it targets (from @shopify/dev-mcp's schema data, kept in test/fixtures/shopify).
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, parse, validate, type IntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { SET_METAFIELDS } from "~/shopify/graphql/set-metafields";
import { SHOP_FACTS } from "~/shopify/graphql/shop-facts";
import { apiVersion } from "~/shopify/api-version";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const schemaFile = path.join(PROJECT_ROOT, `test/fixtures/shopify/admin_${apiVersion}.json.gz`);

describe(`Admin GraphQL ${apiVersion}`, () => {
  const schema = buildClientSchema((JSON.parse(gunzipSync(readFileSync(schemaFile)).toString("utf8")) as { data: IntrospectionQuery }).data);

  it.each([
    ["SetMetafields", SET_METAFIELDS],
    ["ShopFacts", SHOP_FACTS],
  ])("%s is valid", (_, document) => {
    expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
  });
});
