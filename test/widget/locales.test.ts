// Every language the extension ships is complete: same keys as en.default, the same
// placeholders, every key the Liquid uses, every state rendered without a missing translation.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { blockSchema, LOCALES_DIR, liquidFiles, type BlockName } from "../../dev/simulator/storefront/extension";
import { flattenKeys, lookup, schemaLocales, storefrontLocales } from "../../dev/simulator/storefront/locales";
import { GOLD_MEMBER, NEGATIVE_MEMBER, PENDING_MEMBER, POINTS_FOR_CASH, PROGRAM, SHOP, SILVER_MEMBER } from "./fixtures";
import { renderWidget } from "./render";

const LOCALES = ["en", "de", "fr", "es", "it", "nl"];
const storefront = storefrontLocales();
const schema = schemaLocales();
const english = storefront.get("en")!;

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();

describe("locale files", () => {
  it("exist for every language the widget supports, storefront and theme editor", () => {
    expect([...storefront.keys()].sort()).toEqual([...LOCALES].sort());
    expect([...schema.keys()].sort()).toEqual([...LOCALES].sort());
  });

  it.each(LOCALES)("%s has exactly the keys of en.default, with the same placeholders", (locale) => {
    const tree = storefront.get(locale)!;
    expect(flattenKeys(tree).sort()).toEqual(flattenKeys(english).sort());
    for (const key of flattenKeys(english)) {
      expect(placeholders(lookup(tree, key) as string), `${locale}: ${key}`).toEqual(placeholders(lookup(english, key) as string));
    }
    expect(flattenKeys(schema.get(locale)!).sort()).toEqual(flattenKeys(schema.get("en")!).sort());
  });

  it("hold plain text: no markup, so translations are safe in text and in attributes", () => {
    for (const [locale, tree] of [...storefront, ...schema]) {
      for (const key of flattenKeys(tree)) expect(lookup(tree, key), `${locale}: ${key}`).not.toMatch(/[<>&"]/);
    }
  });

  it("stay under Shopify's 15 KB per locale file", () => {
    for (const file of LOCALES.flatMap((locale) => [`${locale === "en" ? "en.default" : locale}.json`, `${locale === "en" ? "en.default" : locale}.schema.json`])) {
      expect(statSync(path.join(LOCALES_DIR, file)).size, file).toBeLessThan(15 * 1024);
    }
  });
});

describe("keys used by the extension", () => {
  const liquid = liquidFiles().map((file) => readFileSync(file, "utf8"));
  const used = [...new Set(liquid.flatMap((source) => [...source.matchAll(/'(tally\.[a-z_.]+)'\s*\|\s*t\b/g)].map((match) => match[1])))];

  it("are found in the Liquid", () => {
    expect(used.length).toBeGreaterThan(40);
  });

  it.each(LOCALES)("all exist in %s", (locale) => {
    const missing = used.filter((key) => lookup(storefront.get(locale), key) === undefined);
    expect(missing).toEqual([]);
  });

  it("for the theme editor all exist in en.default.schema.json", () => {
    for (const name of ["launcher", "rewards"] as BlockName[]) {
      const json = JSON.stringify(blockSchema(name));
      for (const [, key] of json.matchAll(/"t:([a-z_.]+)"/g)) expect(lookup(schema.get("en"), key), key).toBeTypeOf("string");
    }
  });
});

describe("every locale renders every state", () => {
  const states = {
    "logged out": {},
    "logged out, no program metafield": { shop: { ...SHOP, program: null } },
    member: { customer: { summary: SILVER_MEMBER } },
    "member with pending points": { customer: { summary: PENDING_MEMBER } },
    "negative balance": { customer: { summary: NEGATIVE_MEMBER } },
    "top tier": { customer: { summary: GOLD_MEMBER } },
    "a variable reward with a minimum order": { customer: { summary: GOLD_MEMBER }, shop: { ...SHOP, program: { ...PROGRAM, rewards: [...PROGRAM.rewards, POINTS_FOR_CASH] } } },
    "redemption turned off": { customer: { summary: GOLD_MEMBER }, settings: { redeem: false } },
    "member without metafields": { customer: { summary: null }, shop: { ...SHOP, program: null } },
  };
  const cases = LOCALES.flatMap((locale) =>
    Object.entries(states).flatMap(([state, options]) => (["launcher", "rewards"] as BlockName[]).map((block) => [locale, state, block, options] as const)),
  );

  it.each(cases)("%s: %s (%s)", async (locale, _state, block, options) => {
    // Strict translations: a key missing in this locale throws.
    const html = await renderWidget({ ...options, block, locale });
    expect(html).not.toContain("translation missing");
    expect(html).not.toMatch(/\{\{|\[(name|tier|program|amount|shop)\]/);
  });
});
