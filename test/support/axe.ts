// What an axe scan found that a test refuses: serious and critical violations, each as
// "rule: the elements it names", so a failure says where to look.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AxeBuilder from "@axe-core/playwright";
import type { Frame, Page } from "playwright-core";
import { expect } from "vitest";

interface Violation {
  id: string;
  impact?: string | null;
  nodes: { target: unknown[] }[];
}

export function seriousViolations(violations: readonly Violation[]): string[] {
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * The serious violations in one frame (the embedded app inside the admin frame), scanned with
 * axe injected into it: AxeBuilder scans a page, and the app lives in an iframe of another origin.
 */
export async function frameSeriousViolations(frame: Frame): Promise<string[]> {
  await frame.evaluate(AXE_SOURCE);
  const violations = await frame.evaluate(async () => (await (window as unknown as { axe: { run: () => Promise<{ violations: Violation[] }> } }).axe.run()).violations);
  return seriousViolations(violations);
}

/** Expects no serious violation in a whole page, frames included (AxeBuilder's scan); `label` names the page in a failure. */
export async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  expect(seriousViolations(results.violations), label).toEqual([]);
}
