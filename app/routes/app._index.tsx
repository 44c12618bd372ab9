import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { LedgerAuditCard } from "~/components/LedgerAuditCard";
import db from "~/db.server";
import { programSummary } from "~/loyalty/program-summary.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { lastReconciliation } from "~/shopify/ledger-audit.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [summary, reconciliation] = await Promise.all([programSummary(db, session.shop), lastReconciliation(db, session.shop)]);
  return { ...summary, lastReconciliation: reconciliation };
};

/** "Verify balances": the `npm run verify` audit, for this shop only. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { report: await verifyLedger(db, { shop: session.shop }) };
};

export default function ProgramOverview() {
  const summary = useLoaderData<typeof loader>();
  const { earning } = summary.program;
  return (
    <Page>
      <TitleBar title="Tally" />
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
            <Stat label="Members" value={summary.memberCount.toLocaleString()} />
            <Stat label="Points outstanding" value={summary.pointsOutstanding.toLocaleString()} />
            <Stat label="Orders credited" value={summary.ordersCredited.toLocaleString()} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {summary.program.name}
              </Text>
              <Text as="p">
                Customers earn {earning.points} {earning.points === 1 ? "point" : "points"} for every{" "}
                {earning.perMajorUnits === 1 ? "" : `${earning.perMajorUnits} `}
                {summary.currency ?? "unit of your currency"} spent on products, after discounts. Shipping, taxes,
                tips and gift cards earn nothing. Refunds and cancellations take back what the order earned.
              </Text>
              {summary.rewards.map((reward) => (
                <Text as="p" key={reward.id}>
                  Reward: {reward.title} for {reward.costPoints.toLocaleString()} points
                </Text>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <LedgerAuditCard lastReconciliation={summary.lastReconciliation} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}
