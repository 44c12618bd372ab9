// The UI extensions' bundles as `shopify app build` writes them, measured as Shopify serves them
// (gzip), against Tally's budget: 12 KB gzipped each, Preact and Shopify's runtime included.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const EXTENSION_BUDGET_GZIP_BYTES = 12 * 1024;

export interface ExtensionSize {
  name: string;
  rawBytes: number;
  gzipBytes: number;
}

/** The UI extensions (not the theme one): folders under extensions/ whose toml says ui_extension. */
export function uiExtensionNames(root = PROJECT_ROOT): string[] {
  return readdirSync(path.join(root, "extensions"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, "extensions", entry.name, "shopify.extension.toml")))
    .filter((entry) => /type\s*=\s*"ui_extension"/.test(readFileSync(path.join(root, "extensions", entry.name, "shopify.extension.toml"), "utf8")))
    .map((entry) => entry.name)
    .sort();
}

/** Runs Shopify CLI's offline build of the app at `root`; its exit status and output. */
export function runAppBuild(root = PROJECT_ROOT): { status: number | null; output: string; ms: number } {
  // No bundle of an earlier build can stand in for one this build did not write.
  for (const name of uiExtensionNames(root)) rmSync(path.join(root, "extensions", name, "dist"), { recursive: true, force: true });
  const started = performance.now();
  // npx: the CLI needs Node >= 22.12, which npm scripts get from the project's `node` package.
  const result = spawnSync("npx", ["--no-install", "shopify", "app", "build", "--path", root, "--skip-dependencies-installation", "--no-color"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, ms: performance.now() - started };
}

/** Each UI extension's built bundle (extensions/<name>/dist/<name>.js), raw and gzipped. */
export function uiExtensionSizes(root = PROJECT_ROOT): ExtensionSize[] {
  return uiExtensionNames(root).map((name) => {
    const bundle = readFileSync(path.join(root, "extensions", name, "dist", `${name}.js`));
    return { name, rawBytes: bundle.length, gzipBytes: gzipSync(bundle, { level: 9 }).length };
  });
}

export const overBudget = (sizes: ExtensionSize[]) => sizes.filter((size) => size.gzipBytes > EXTENSION_BUDGET_GZIP_BYTES);

export function formatExtensionSizes(sizes: ExtensionSize[]): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const rows = sizes.map((size) => `${size.name.padEnd(24)} ${kb(size.rawBytes).padStart(9)} ${kb(size.gzipBytes).padStart(9)}   ${size.gzipBytes <= EXTENSION_BUDGET_GZIP_BYTES ? "ok" : "OVER"}`);
  return [`${"extension".padEnd(24)} ${"raw".padStart(9)} ${"gzip".padStart(9)}   budget ${kb(EXTENSION_BUDGET_GZIP_BYTES)} gzip`, ...rows].join("\n");
}

/** esbuild's warnings in the CLI's output. */
export const buildWarnings = (output: string) => output.split("\n").filter((line) => line.includes("[WARNING]"));
