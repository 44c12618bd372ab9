// Node side of the widget: bundles widget/ into the extension's two assets, in memory, and
// measures them. Shared by scripts/build-widget.ts, the widget tests and bench/widget.ts.
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { minify } from "terser";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Where the built assets live, relative to the project root. */
export const WIDGET_ASSETS = {
  js: "extensions/tally-widget/assets/tally-widget.js",
  css: "extensions/tally-widget/assets/tally-widget.css",
} as const;

/** JS + CSS, gzipped: what every storefront page pays for the widget. */
export const WIDGET_BUDGET_GZIP_BYTES = 8 * 1024;

// Browsers Shopify themes support (two latest versions of each, with margin), as for the CSS:
// optional chaining and ?? ship as they are.
const JS_TARGET = ["chrome100", "edge100", "firefox100", "safari14"];
const CSS_TARGET = ["chrome100", "edge100", "firefox100", "safari14"];

export interface WidgetBundle {
  js: string;
  css: string;
}

export async function buildWidget(): Promise<WidgetBundle> {
  const [js, css] = await Promise.all([
    build({
      entryPoints: [path.join(ROOT, "widget/index.ts")],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: JS_TARGET,
      minify: true,
      legalComments: "none",
      charset: "utf8",
      write: false,
      logLevel: "silent",
    }),
    build({
      entryPoints: [path.join(ROOT, "widget/tally.css")],
      bundle: true,
      loader: { ".css": "css" },
      target: CSS_TARGET,
      minify: true,
      legalComments: "none",
      charset: "utf8",
      write: false,
      logLevel: "silent",
    }),
  ]);
  // esbuild bundles and minifies; terser's compressor then takes the script a few percent further
  // (about 200 B gzipped of the 8 KB budget), with the same browser target (ES2020 syntax).
  const compressed = await minify(js.outputFiles[0].text, { ecma: 2020, compress: { passes: 3 }, mangle: true });
  return { js: compressed.code!, css: css.outputFiles[0].text };
}

export interface AssetSize {
  raw: number;
  gzip: number;
}

export interface WidgetSizes {
  js: AssetSize;
  css: AssetSize;
  total: AssetSize;
}

export function assetSize(text: string): AssetSize {
  const bytes = Buffer.from(text, "utf8");
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

export function widgetSizes(bundle: WidgetBundle): WidgetSizes {
  const js = assetSize(bundle.js);
  const css = assetSize(bundle.css);
  return { js, css, total: { raw: js.raw + css.raw, gzip: js.gzip + css.gzip } };
}

export function formatSizes(sizes: WidgetSizes): string {
  const row = (name: string, size: AssetSize) => `  ${name.padEnd(18)} ${String(size.raw).padStart(6)} B raw  ${String(size.gzip).padStart(6)} B gzip`;
  const share = ((sizes.total.gzip / WIDGET_BUDGET_GZIP_BYTES) * 100).toFixed(0);
  return [
    "Tally widget assets:",
    row("tally-widget.js", sizes.js),
    row("tally-widget.css", sizes.css),
    row("total", sizes.total),
    `  budget             ${WIDGET_BUDGET_GZIP_BYTES} B gzip (${share}% used)`,
  ].join("\n");
}
