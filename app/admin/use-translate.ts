import { useRouteLoaderData } from "@remix-run/react";
import { translator, type AdminLocale, type Catalog, type Translate } from "./i18n";

/** The language the admin layout (routes/app.tsx) chose for this merchant. */
export function useAdminLocale(): AdminLocale {
  return useRouteLoaderData<{ locale: AdminLocale }>("routes/app")?.locale ?? "en";
}

export function useTranslate<Key extends string>(catalog: Catalog<Key>): Translate<Key> {
  return translator(catalog, useAdminLocale());
}
