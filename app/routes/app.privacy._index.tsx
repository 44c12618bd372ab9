// Privacy: the data requests Shopify sent for this shop's customers (customers/data_request),
// newest first, each with what Tally gathered for the customer.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, EmptyState, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { privacyMessages } from "~/admin/messages/privacy";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import db from "~/db.server";
import { dataRequestId, listDataRequests } from "~/loyalty/data-requests.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const raw = new URL(request.url).searchParams.get("before");
  const before = raw === null ? null : dataRequestId(raw);
  if (raw !== null && before === null) throw new Response("Not found", { status: 404 });
  return listDataRequests(db, session.shop, before);
};

export default function Privacy() {
  const { requests, olderFrom } = useLoaderData<typeof loader>();
  const t = useTranslate(privacyMessages);
  const locale = useAdminLocale();
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return (
    <Page>
      <TitleBar title={t("title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="p">{t("intro")}</Text>
              {requests.length === 0 ? (
                <EmptyState heading={t("emptyTitle")} image="">
                  <p>{t("emptyBody")}</p>
                </EmptyState>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={[t("received"), t("customer"), t("request"), ""]}
                  rows={requests.map((request) => [
                    date.format(new Date(request.receivedAt)),
                    request.customerId,
                    request.requestId ?? "—",
                    <Button key={request.id} variant="plain" url={`/app/privacy/${request.id}`} accessibilityLabel={t("viewRequest", { customer: request.customerId })}>
                      {t("view")}
                    </Button>,
                  ])}
                />
              )}
              <InlineStack gap="300">
                {olderFrom !== null && <Button url={`/app/privacy?before=${olderFrom}`}>{t("older")}</Button>}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
