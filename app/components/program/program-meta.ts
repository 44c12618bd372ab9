// The document title of a program page (the admin shows its own; screen readers and the
// browser's history read this one), in the merchant's language.
import type { MetaFunction } from "@remix-run/react";
import { translator, type AdminLocale } from "~/admin/i18n";
import { programMessages, type ProgramMessageKey } from "~/admin/messages/program";

export function programMeta(key: ProgramMessageKey): MetaFunction {
  return ({ matches }) => {
    const locale = (matches.find((match) => match.id === "routes/app")?.data as { locale?: AdminLocale } | undefined)?.locale ?? "en";
    return [{ title: `${translator(programMessages, locale)(key)} · Tally` }];
  };
}
