// What a program page shows when its loader or action failed: Shopify's own answers
// (re-authentication) go through the library's boundary; anything else is a calm banner.
import { isRouteErrorResponse } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Banner, Page } from "@shopify/polaris";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";

export function ProgramErrorState({ error }: { error: unknown }) {
  const t = useTranslate(programMessages);
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title={t("settingsTitle")} backAction={{ content: t("navRewards"), url: "/app/program/rewards" }}>
        <Banner tone="warning" title={t("notFound")} />
      </Page>
    );
  }
  if (isRouteErrorResponse(error) || error instanceof Response) return boundary.error(error);
  return (
    <Page title={t("settingsTitle")}>
      <Banner tone="critical" title={t("loadError")} />
    </Page>
  );
}
