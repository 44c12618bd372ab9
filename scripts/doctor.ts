// `npm run doctor`: checks a deployment's configuration without a network and says what is
// wrong in plain words. The variables are read as the server reads them (the same environment);
// shopify.app.toml and the build from this checkout. Exit code 1 on any error.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { configurationFindings, type AppToml, type Finding } from "./doctor/checks";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The paths the production build routes, read from its route table (`path: "webhooks/orders/paid"`)
 * without loading it: loading the build starts the app (session storage, the environment).
 */
function buildRoutes(): Set<string> | null {
  const file = path.join(root, "build/server/index.js");
  if (!existsSync(file)) return null;
  return new Set([...readFileSync(file, "utf8").matchAll(/\bpath: "([^"]*)"/g)].map((match) => `/${match[1]}`));
}

async function databaseFindings(): Promise<Finding[]> {
  // Imported only now: the app's modules parse the environment when they load.
  try {
    const [{ default: db }, { databaseTarget }, { readiness }] = await Promise.all([
      import("../app/db.server"),
      import("../app/database-url"),
      import("../app/observability/readiness.server"),
    ]);
    const state = await readiness(db, databaseTarget(process.env.DATABASE_URL), root);
    await db.$disconnect();
    return state.ready ? [] : [{ level: "error", message: `The database is not ready: ${state.reason}.` }];
  } catch (error) {
    return [{ level: "error", message: `The app could not start with this environment: ${(error as Error).message}` }];
  }
}

const { apiVersion } = await import("../app/shopify/api-version");
const toml = parse(readFileSync(path.join(root, "shopify.app.toml"), "utf8")) as AppToml;
const findings = configurationFindings({ env: process.env, toml, apiVersion, routes: buildRoutes() });
if (!findings.some((finding) => finding.level === "error" && /is not set/.test(finding.message))) findings.push(...(await databaseFindings()));

for (const finding of findings) console.log(`${finding.level === "error" ? "✗" : "!"} ${finding.message}`);
const errors = findings.filter((finding) => finding.level === "error").length;
console.log(errors === 0 ? `✓ The configuration is sound${findings.length > 0 ? ` (${findings.length} warning(s))` : ""}.` : `${errors} problem(s) to fix.`);
process.exitCode = errors === 0 ? 0 : 1;
