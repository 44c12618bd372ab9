// A discount code as the widget shows it: read-only, labelled, with Copy and "Apply to cart"
// ({root}/discount/{code}, so it works on a locale path) and its "Use by" date. A redeemed
// reward's (redeem.ts) and a friend offer's (forms.ts).
import type { CodeStrings, WidgetConfig } from "./config";
import { element } from "./dom";
import { fill } from "./i18n";

let lastId = 0;
export const newId = () => `tally-r${++lastId}`;

export function codeBox(code: string, label: string, expiresAt: string | null, config: WidgetConfig): HTMLElement {
  const s = config.strings as CodeStrings;
  const input = element("input", "tally-input");
  const tag = element("label", "tally-label", label);
  const copy = element("button", "tally-button", s.copyCode);
  const apply = element("a", "tally-button tally-button--quiet", s.apply);
  const announce = element("span", "tally-visually-hidden");
  input.readOnly = true;
  input.value = code;
  input.id = tag.htmlFor = newId();
  copy.type = "button";
  copy.setAttribute("data-tally-copy", "code");
  announce.setAttribute("role", "status");
  announce.setAttribute("data-tally-copy-status", "");
  apply.href = `${config.root}/discount/${encodeURIComponent(code)}`;
  const box = element("div", "", tag, element("div", "tally-copy", input, copy, apply, announce));
  const date = new Date(expiresAt || "");
  if (date.getTime()) box.append(element("p", "tally-note", fill(s.expires, { date: date.toLocaleDateString(config.locale) })));
  return box;
}
