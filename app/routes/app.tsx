import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisFr from "@shopify/polaris/locales/fr.json";
import polarisIt from "@shopify/polaris/locales/it.json";
import polarisNl from "@shopify/polaris/locales/nl.json";
import { adminLocale, translator, type AdminLocale } from "~/admin/i18n";
import { homeMessages } from "~/admin/messages/home";
import { membersMessages } from "~/admin/messages/members";
import { privacyMessages } from "~/admin/messages/privacy";
import { ProgramNavLinks } from "~/components/program/ProgramNavLinks";
import { env } from "~/env.server";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const POLARIS_TRANSLATIONS: Record<AdminLocale, typeof polarisEn> = { en: polarisEn, de: polarisDe, es: polarisEs, fr: polarisFr, it: polarisIt, nl: polarisNl };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const locale = adminLocale(request);
  return { apiKey: env.SHOPIFY_API_KEY, locale, polarisTranslations: POLARIS_TRANSLATIONS[locale] };
};

// The layout's data (API key, language) is the same for every page: later navigations and form
// posts carry no `locale` parameter, so reloading it could switch the merchant's language.
export const shouldRevalidate: ShouldRevalidateFunction = () => false;

export default function App() {
  const { apiKey, locale, polarisTranslations } = useLoaderData<typeof loader>();
  const home = translator(homeMessages, locale);
  const privacy = translator(privacyMessages, locale);
  const members = translator(membersMessages, locale);
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations}>
      <NavMenu>
        <Link to="/app" rel="home">
          {home("navHome")}
        </Link>
        <ProgramNavLinks />
        <Link to="/app/members">{members("title")}</Link>
        <Link to="/app/privacy">{privacy("navPrivacy")}</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers reach the browser.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
