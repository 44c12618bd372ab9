// What an axe scan found that a test refuses: serious and critical violations, each as
// "rule: the elements it names", so a failure says where to look.
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
