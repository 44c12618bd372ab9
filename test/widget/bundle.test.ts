// What the extension ships: the committed bundle is what the source builds, within budget, with
// no HTML parsing of data; Theme Check finds nothing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildWidget, WIDGET_ASSETS, widgetSizes, WIDGET_BUDGET_GZIP_BYTES } from "../../scripts/widget/bundle";
import { runThemeCheck } from "../../scripts/widget/theme-check";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const committed = (kind: keyof typeof WIDGET_ASSETS) => readFileSync(path.join(PROJECT_ROOT, WIDGET_ASSETS[kind]), "utf8");

describe("the widget bundle", () => {
  it("committed in the extension is what widget/ builds (run npm run build:widget)", async () => {
    const bundle = await buildWidget();
    expect(committed("js")).toBe(bundle.js);
    expect(committed("css")).toBe(bundle.css);
  });

  it("stays within 8 KB gzipped, JS and CSS together", () => {
    const sizes = widgetSizes({ js: committed("js"), css: committed("css") });
    expect(sizes.total.gzip).toBeLessThanOrEqual(WIDGET_BUDGET_GZIP_BYTES);
  });

  it("is one IIFE that parses no HTML and evaluates no strings", () => {
    const js = committed("js");
    expect(js).toMatch(/^"use strict";\(\(\)=>\{[\s\S]*\}\)\(\);\n?$/);
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });

  it("makes no request to another origin", () => {
    expect(committed("js")).not.toMatch(/https?:\/\//);
    expect(committed("css")).not.toMatch(/url\(|@import/);
  });
});

describe("Theme Check", () => {
  it("finds no offense in the extension", async () => {
    const { offenses } = await runThemeCheck();
    expect(offenses).toEqual([]);
  }, 60_000);
});
