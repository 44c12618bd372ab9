// Every Admin GraphQL document the app sends is valid against the Admin API schema of the
// version it targets (from @shopify/dev-mcp's schema data, kept in test/fixtures/shopify).
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, parse, validate, type IntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { apiVersion } from "~/shopify/api-version";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const schemaFile = path.join(PROJECT_ROOT, `test/fixtures/shopify/admin_${apiVersion}.json.gz`);

describe(`Admin GraphQL ${apiVersion}`, () => {
  const schema = buildClientSchema((JSON.parse(gunzipSync(readFileSync(schemaFile)).toString("utf8")) as { data: IntrospectionQuery }).data);

  // Every "#graphql" string exported by a module of app/shopify/graphql/.
  const modules = import.meta.glob<Record<string, unknown>>("../../app/shopify/graphql/*.ts", { eager: true });
  const documents = Object.entries(modules).flatMap(([file, exports]) =>
    Object.entries(exports)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].trimStart().startsWith("#graphql"))
      .map(([name, document]) => [`${path.basename(file)} ${name}`, document] as const),
  );

  it("finds the documents", () => {
    expect(documents.length).toBeGreaterThanOrEqual(7);
  });

  it.each(documents)("%s is valid", (_, document) => {
    expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
  });
});
