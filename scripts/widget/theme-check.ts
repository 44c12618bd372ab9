// Node side of the widget: runs Shopify's Theme Check (@shopify/theme-check-node, which has no
// command line) on the theme app extension. Used by `npm run theme-check` and the widget tests.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { themeCheckRun } from "@shopify/theme-check-node";

export const EXTENSION_ROOT = path.resolve(import.meta.dirname, "../../extensions/tally-widget");

export const SEVERITY_NAMES = ["error", "warning", "info"] as const;

export interface ThemeCheckOffense {
  check: string;
  message: string;
  severity: 0 | 1 | 2;
  /** Relative to the extension root. */
  file: string;
  line: number;
  column: number;
}

export async function runThemeCheck(root = EXTENSION_ROOT): Promise<{ offenses: ThemeCheckOffense[]; files: number }> {
  // Without a config path, Theme Check picks "theme-check:theme-app-extension" because the root
  // holds a shopify.extension.toml. Its log callback reports progress only: kept quiet.
  const run = await themeCheckRun(root, undefined, () => {});
  const offenses = run.offenses.map((offense) => ({
    check: offense.check,
    message: offense.message,
    severity: offense.severity as 0 | 1 | 2,
    file: path.relative(root, fileURLToPath(offense.uri)),
    line: offense.start.line,
    column: offense.start.character + 1,
  }));
  return { offenses, files: Object.keys(run.theme).length };
}
