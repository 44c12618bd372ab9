// `npm run build:extensions`: `shopify app build` (Shopify CLI, offline: it validates the app's
// configuration and every extension, and bundles the UI extensions into extensions/<name>/dist),
// then each UI extension's bundle against its budget. Exit 1 when the CLI fails (an extension
// that does not build, an unknown target, a bad field), warns, or a bundle is over budget.
// (The theme extension's errors do not fail `app build`: `npm run theme-check` covers it.)
import { buildWarnings, formatExtensionSizes, overBudget, runAppBuild, uiExtensionSizes } from "./sizes";

const build = runAppBuild();
if (build.status !== 0) {
  console.error(build.output);
  console.error(`shopify app build failed (exit ${build.status}).`);
  process.exit(1);
}
// esbuild's warnings ("may crash at run-time": Shopify CLI bundles for ES2015) are errors here.
const warnings = buildWarnings(build.output);
if (warnings.length > 0) {
  console.error(build.output);
  console.error(`shopify app build warned ${warnings.length} time(s).`);
  process.exit(1);
}
const sizes = uiExtensionSizes();
console.log(formatExtensionSizes(sizes));
const over = overBudget(sizes);
if (over.length > 0) {
  console.error(`Over budget: ${over.map((size) => size.name).join(", ")}.`);
  process.exit(1);
}
