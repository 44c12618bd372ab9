// The UI extensions' configuration: the API version and capabilities Shopify needs, the app URL
// they call, and six complete languages each (same keys and placeholders as English; every key
// the source names exists).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { APP_URL } from "../../extensions/shared/tally-api";
import { uiExtensionNames } from "../../scripts/extensions/sizes";
import { LOCALES, localeFile } from "./harness";

type Tree = { [key: string]: string | Tree };
const keysOf = (tree: Tree, prefix = ""): string[] => Object.entries(tree).flatMap(([key, value]) => (typeof value === "string" ? [prefix + key] : keysOf(value, `${prefix}${key}.`)));
const valueAt = (tree: Tree, key: string) => key.split(".").reduce<string | Tree | undefined>((node, part) => (typeof node === "object" ? node[part] : undefined), tree);
const placeholders = (text: unknown) => [...String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();
const names = uiExtensionNames();

describe("UI extensions", () => {
  it("are the five Tally ships", () => {
    expect(names).toEqual(["tally-account-balance", "tally-checkout", "tally-order-status", "tally-rewards-page", "tally-thank-you"]);
  });

  it("call the app at shopify.app.toml's application_url", () => {
    const app = parse(readFileSync("shopify.app.toml", "utf8")) as { application_url: string };
    expect(APP_URL).toBe(app.application_url);
  });

  it.each(names)("%s targets API 2026-07 with network access", (name) => {
    const config = parse(readFileSync(path.join("extensions", name, "shopify.extension.toml"), "utf8")) as { api_version: string; extensions: { handle: string; capabilities: { network_access: boolean } }[] };
    expect(config.api_version).toBe("2026-07");
    expect(config.extensions[0].handle).toBe(name);
    expect(config.extensions[0].capabilities.network_access).toBe(true);
  });

  it.each(names)("%s speaks six languages with the same keys and placeholders", (name) => {
    const english = localeFile(name, "en");
    for (const locale of LOCALES) {
      const tree = localeFile(name, locale);
      expect(keysOf(tree).sort(), `${name}/${locale}`).toEqual(keysOf(english).sort());
      for (const key of keysOf(english)) expect(placeholders(valueAt(tree, key)), `${name}/${locale}: ${key}`).toEqual(placeholders(valueAt(english, key)));
    }
  });

  it.each(names)("%s names only keys its locales have", (name) => {
    const english = localeFile(name, "en");
    const source = readFileSync(path.join("extensions", name, "src", readdirEntry(name)), "utf8");
    const used = [...source.matchAll(/\bt\("([a-z_.]+)"/g)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(2);
    for (const key of used) expect(valueAt(english, key), `${name}: ${key}`).toBeDefined();
  });
});

function readdirEntry(name: string): string {
  const config = readFileSync(path.join("extensions", name, "shopify.extension.toml"), "utf8");
  return path.basename(/module = "\.\/src\/([^"]+)"/.exec(config)![1]);
}
