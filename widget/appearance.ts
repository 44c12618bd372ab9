// The widget's texts and colours set in Tally's admin (the public program's `appearance`), for
// when the script has a newer program than Liquid rendered (or Liquid had none): they win over the
// theme editor's, as in snippets/tally-widget.liquid.
import type { PublicProgram } from "./contract";

const COLOURS = [
  ["accent", "accentColor"],
  ["on-accent", "accentTextColor"],
  ["bg", "backgroundColor"],
  ["fg", "textColor"],
] as const;

export function applyAppearance(root: HTMLElement, look: PublicProgram["appearance"] | undefined): void {
  if (!look) return;
  for (const [name, key] of COLOURS) if (look[key]) root.style.setProperty(`--tally-${name}`, look[key]);
  const title = root.querySelector(".tally-title");
  if (title && look.heading) title.textContent = look.heading;
  const label = root.querySelector(".tally-launcher__label");
  if (label && look.launcherLabel) label.textContent = look.launcherLabel;
}
