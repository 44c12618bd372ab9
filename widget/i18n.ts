// Strings arrive translated from Liquid (snippets/tally-config.liquid) with "{name}" placeholders
// and both plural forms; here the right form is picked and filled. Results go to textContent.

export interface Plural {
  one: string;
  other: string;
}

/** The "one" or "other" form for `count` under the locale's plural rules. */
export function plural(forms: Plural, count: number, locale: string): string {
  let category: string;
  try {
    category = new Intl.PluralRules(locale).select(count);
  } catch {
    category = count === 1 ? "one" : "other";
  }
  return category === "one" ? forms.one : forms.other;
}

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : placeholder,
  );
}

/** A plural string filled in, e.g. countText(s.pending, 5, "en", { points: 5 }) → "+5 points pending". */
export function countText(forms: Plural, count: number, locale: string, values: Record<string, string | number>): string {
  return fill(plural(forms, count, locale), values);
}

export function formatMoney(majorUnits: number, currency: string | null, locale: string): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(majorUnits);
    } catch {
      // an unknown currency code: fall through to the plain number
    }
  }
  return majorUnits.toFixed(2);
}
