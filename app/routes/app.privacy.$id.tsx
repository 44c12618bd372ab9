// One data request: what Tally gathered for the customer, and its JSON to download and send them.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { showToast } from "~/components/toast";
import { privacyMessages } from "~/admin/messages/privacy";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import db from "~/db.server";
import { dataRequestId, findDataRequest, prettyExport } from "~/loyalty/data-requests.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = dataRequestId(params.id);
  const found = id === null ? null : await findDataRequest(db, session.shop, id);
  if (!found) throw new Response("Not found", { status: 404 });
  const { data, json, ...summary } = found;
  return {
    ...summary,
    member: data.member && { balance: data.member.balance, lifetimeEarned: data.member.lifetimeEarned },
    counts: { ledger: data.ledger.length, orders: data.orders.length, redemptions: data.redemptions.length },
    pretty: prettyExport(json),
  };
};

export default function DataRequest() {
  const request = useLoaderData<typeof loader>();
  const t = useTranslate(privacyMessages);
  const locale = useAdminLocale();
  const number = new Intl.NumberFormat(locale);
  const [downloading, setDownloading] = useState(false);
  const filename = `tally-data-request-${request.id}-customer-${request.customerId}.json`;

  async function download() {
    setDownloading(true);
    try {
      // App Bridge puts the session token on this request; a plain link could not carry it.
      const response = await fetch(`/app/privacy/${request.id}/download`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: filename });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      showToast(t("downloaded"));
    } catch {
      showToast(t("downloadFailed"), { isError: true });
    } finally {
      setDownloading(false);
    }
  }

  const figures: [string, number][] = [
    ...(request.member
      ? ([
          [t("balance"), request.member.balance],
          [t("lifetimeEarned"), request.member.lifetimeEarned],
        ] as [string, number][])
      : []),
    [t("ledgerEntries"), request.counts.ledger],
    [t("orders"), request.counts.orders],
    [t("rewards"), request.counts.redemptions],
  ];
  return (
    <Page backAction={{ content: t("back"), url: "/app/privacy" }} title={t("requestTitle", { customer: request.customerId })} subtitle={t("requestReceived", { date: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" }).format(new Date(request.receivedAt)) })} primaryAction={<Button variant="primary" onClick={download} loading={downloading}>{t("download")}</Button>}>
      <TitleBar title={t("requestTitle", { customer: request.customerId })} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {!request.member && <Banner tone="info">{t("noMember")}</Banner>}
            <InlineGrid columns={{ xs: 2, md: figures.length }} gap="300">
              {figures.map(([label, value]) => (
                <Card key={label}>
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingSm" tone="subdued">
                      {label}
                    </Text>
                    <Text as="p" variant="headingLg">
                      {number.format(value)}
                    </Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("contents")}
                </Text>
                <Box background="bg-surface-secondary" padding="300" borderRadius="200" overflowX="scroll">
                  <pre style={{ margin: 0, fontSize: 12, lineHeight: 1.5 }} tabIndex={0} aria-label={t("contents")}>
                    {request.pretty}
                  </pre>
                </Box>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useTranslate(privacyMessages);
  if (isRouteErrorResponse(error) && error.status !== 404 && error.status !== 500) return boundary.error(error);
  return (
    <Page backAction={{ content: t("back"), url: "/app/privacy" }}>
      <TitleBar title={t("title")} />
      <Banner tone="critical" title={isRouteErrorResponse(error) && error.status === 404 ? t("notFound") : t("errorTitle")}>
        {!(isRouteErrorResponse(error) && error.status === 404) && <p>{t("errorBody")}</p>}
      </Banner>
    </Page>
  );
}
