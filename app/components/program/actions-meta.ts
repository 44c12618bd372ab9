// The document title of a "Ways to earn" page in the merchant's language (as programMeta does for
// the other program pages).
import type { MetaFunction } from "@remix-run/react";
import { translator, type AdminLocale } from "~/admin/i18n";
import { actionsMessages, type ActionsMessageKey } from "~/admin/messages/actions";

export function actionsMeta(key: ActionsMessageKey): MetaFunction {
  return ({ matches }) => {
    const locale = (matches.find((match) => match.id === "routes/app")?.data as { locale?: AdminLocale } | undefined)?.locale ?? "en";
    return [{ title: `${translator(actionsMessages, locale)(key)} · Tally` }];
  };
}
