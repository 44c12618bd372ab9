// `npm run build:widget` (and the first step of `npm run build`): bundles the storefront widget
// (widget/) into the theme app extension's assets, which are committed because Shopify ships the
// extension as it is in the repository.
//
//   widget/index.ts  → extensions/tally-widget/assets/tally-widget.js   one minified IIFE, for the browsers Shopify themes support
//   widget/tally.css → extensions/tally-widget/assets/tally-widget.css  minified
//
// Prints raw and gzip sizes and exits 1 when JS + CSS gzipped exceed the budget (8 KB): the
// widget loads on every page of the shop. `--check` builds in memory and exits 1 if the
// committed assets differ from what the source builds (CI uses it through the widget tests).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../dev/simulator/app-config";
import { buildWidget, formatSizes, WIDGET_ASSETS, widgetSizes, WIDGET_BUDGET_GZIP_BYTES } from "./widget/bundle";

const check = process.argv.includes("--check");
const bundle = await buildWidget();
const sizes = widgetSizes(bundle);

console.log(formatSizes(sizes));

if (check) {
  const stale = (Object.keys(WIDGET_ASSETS) as (keyof typeof WIDGET_ASSETS)[]).filter(
    (kind) => readFileSync(path.join(PROJECT_ROOT, WIDGET_ASSETS[kind]), "utf8") !== bundle[kind],
  );
  if (stale.length) {
    console.error(`Stale widget assets (${stale.map((kind) => WIDGET_ASSETS[kind]).join(", ")}): run npm run build:widget and commit them.`);
    process.exit(1);
  }
} else {
  for (const kind of Object.keys(WIDGET_ASSETS) as (keyof typeof WIDGET_ASSETS)[]) {
    writeFileSync(path.join(PROJECT_ROOT, WIDGET_ASSETS[kind]), bundle[kind]);
  }
}

if (sizes.total.gzip > WIDGET_BUDGET_GZIP_BYTES) {
  console.error(`The widget is over budget: ${sizes.total.gzip} B gzipped > ${WIDGET_BUDGET_GZIP_BYTES} B.`);
  process.exit(1);
}
