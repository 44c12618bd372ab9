// The bench measures what ships: the production build that `npm start` serves. A missing build is
// made here (about ten seconds); an existing one is used as it is, with a warning when files
// under app/ are newer, because then the numbers would describe old code.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { ensureBuilt } from "../../dev/simulator/app-server";

const SERVER_BUNDLE = path.join(PROJECT_ROOT, "build/server/index.js");
const REMIX_CLI = path.join(PROJECT_ROOT, "node_modules/@remix-run/dev/dist/cli.js");

export function ensureProductionBuild(): void {
  try {
    ensureBuilt();
  } catch {
    console.log("No production build yet: running `npm run build` (remix vite:build)…");
    execFileSync(process.execPath, [REMIX_CLI, "vite:build"], { cwd: PROJECT_ROOT, stdio: "inherit" });
    ensureBuilt();
    return;
  }
  const stale = filesNewerThan(path.join(PROJECT_ROOT, "app"), statSync(SERVER_BUNDLE).mtimeMs);
  if (stale.length > 0) {
    console.warn(
      `Warning: the production build is older than ${stale.length} file(s) under app/ ` +
        `(e.g. ${path.relative(PROJECT_ROOT, stale[0])}); run \`npm run build\` to measure the current code.\n`,
    );
  }
}

function filesNewerThan(folder: string, mtimeMs: number): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => statSync(file).mtimeMs > mtimeMs);
}
