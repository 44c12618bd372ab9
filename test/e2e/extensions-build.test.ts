// `shopify app build`, offline, as CI runs it: Shopify CLI validates shopify.app.toml,
// shopify.web.toml and every extension's configuration, and bundles the UI extensions; it fails
// on an extension that does not build. Each bundle stays within its 12 KB gzip budget.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWarnings, EXTENSION_BUDGET_GZIP_BYTES, PROJECT_ROOT, runAppBuild, uiExtensionNames, uiExtensionSizes } from "../../scripts/extensions/sizes";

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("shopify app build", () => {
  it("accepts the app's configuration and builds every UI extension within budget, without warnings", { timeout: 180_000 }, () => {
    const build = runAppBuild();
    expect(build.status, build.output).toBe(0);
    expect(buildWarnings(build.output)).toEqual([]);
    expect(uiExtensionNames()).toEqual(["tally-account-balance", "tally-checkout", "tally-order-status", "tally-rewards-page", "tally-thank-you"]);
    for (const size of uiExtensionSizes()) {
      expect(size.gzipBytes, size.name).toBeLessThanOrEqual(EXTENSION_BUDGET_GZIP_BYTES);
      expect(size.gzipBytes, size.name).toBeGreaterThan(3_000); // Preact and the extension, not an empty file
    }
  });

  it("fails on an extension that does not build", { timeout: 180_000 }, () => {
    const app = mkdtempSync(path.join(tmpdir(), "tally-app-build-"));
    scratch.push(app);
    cpSync(path.join(PROJECT_ROOT, "shopify.app.toml"), path.join(app, "shopify.app.toml"));
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "broken-app", private: true, type: "module" }));
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(app, "node_modules"));
    const extension = path.join(app, "extensions", "broken");
    mkdirSync(path.join(extension, "src"), { recursive: true });
    cpSync(path.join(PROJECT_ROOT, "extensions", "tally-order-status", "shopify.extension.toml"), path.join(extension, "shopify.extension.toml"));
    writeFileSync(path.join(extension, "src", "OrderPoints.tsx"), 'import { render } from "preact";\nexport default async () => { render(<s-text>unclosed</s-text, document.body); };\n');
    const build = runAppBuild(app);
    expect(build.status).toBe(1);
    expect(build.output).toMatch(/OrderPoints\.tsx/);
  });
});
