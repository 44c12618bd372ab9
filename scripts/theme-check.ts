// `npm run theme-check`: Shopify's Theme Check on the theme app extension, offline.
// @shopify/theme-check-node has no command line of its own; this calls its API with the
// extension folder as root (it picks the theme-app-extension config because the folder holds a
// shopify.extension.toml), prints every offense and exits 1 when any is an error.
import { runThemeCheck, SEVERITY_NAMES } from "./widget/theme-check";

const { offenses, files } = await runThemeCheck();
for (const offense of offenses) {
  console.log(`${SEVERITY_NAMES[offense.severity]}  ${offense.file}:${offense.line}:${offense.column}  ${offense.check}: ${offense.message}`);
}
const errors = offenses.filter((offense) => offense.severity === 0).length;
console.log(`Theme Check: ${files} files, ${offenses.length} offenses (${errors} errors).`);
process.exit(errors > 0 ? 1 : 0);
