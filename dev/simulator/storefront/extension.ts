// The theme app extension as files: where it is, its blocks and their schema. Read from disk on
// every call so the dev storefront picks up edits without a restart.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../app-config";

export const EXTENSION_DIR = path.join(PROJECT_ROOT, "extensions/tally-widget");
export const SNIPPETS_DIR = path.join(EXTENSION_DIR, "snippets");
export const BLOCKS_DIR = path.join(EXTENSION_DIR, "blocks");
export const ASSETS_DIR = path.join(EXTENSION_DIR, "assets");
export const LOCALES_DIR = path.join(EXTENSION_DIR, "locales");

export type BlockName = "launcher" | "rewards";

export interface BlockSetting {
  type: string;
  id?: string;
  default?: unknown;
}

export interface BlockSchema {
  name: string;
  target: "body" | "head" | "section";
  stylesheet?: string;
  javascript?: string;
  settings: BlockSetting[];
}

export function blockSource(name: BlockName): string {
  return readFileSync(path.join(BLOCKS_DIR, `${name}.liquid`), "utf8");
}

export function blockSchema(name: BlockName): BlockSchema {
  const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(blockSource(name));
  if (!match) throw new Error(`blocks/${name}.liquid has no {% schema %}`);
  return JSON.parse(match[1]) as BlockSchema;
}

/** block.settings as Shopify fills them for a block nobody customised, then `overrides`. */
export function blockSettings(name: BlockName, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const setting of blockSchema(name).settings) {
    if (setting.id) settings[setting.id] = setting.default ?? (setting.type === "checkbox" ? false : "");
  }
  return { ...settings, ...overrides };
}

export function liquidFiles(): string[] {
  return [BLOCKS_DIR, SNIPPETS_DIR].flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".liquid"))
      .map((file) => path.join(dir, file)),
  );
}
