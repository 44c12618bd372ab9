// "Trust the numbers" in the admin: runs the same audit as `npm run verify` for this shop, and
// shows what the last reconciliation with Shopify found and repaired.
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, List, Text } from "@shopify/polaris";
import type { VerifyReport } from "~/loyalty/verify.server";

export interface LastReconciliation {
  status: string;
  trigger: string;
  since: string;
  until: string;
  finishedAt: string | null;
  ordersSeen: number;
  ordersRepaired: number;
  pointsRepaired: number;
  ordersSkipped: number;
  error: string | null;
}

export function LedgerAuditCard({ lastReconciliation }: { lastReconciliation: LastReconciliation | null }) {
  const fetcher = useFetcher<{ report: VerifyReport }>();
  const report = fetcher.data?.report;
  const running = fetcher.state !== "idle";
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Balances audit
        </Text>
        <Text as="p" tone="subdued">
          Checks every member&apos;s balance against the points ledger, every order and reward against its ledger entries.
        </Text>
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="verify" />
          <Button submit loading={running}>
            Verify balances
          </Button>
        </fetcher.Form>
        {report && (
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="center">
              <Badge tone={report.ok ? "success" : "critical"}>{report.ok ? "All balances agree" : "Mismatches found"}</Badge>
              <Text as="span" tone="subdued">
                {report.checked.members.toLocaleString()} members, {report.checked.entries.toLocaleString()} ledger entries, {report.checked.orders.toLocaleString()} orders,{" "}
                {report.checked.redemptions.toLocaleString()} rewards checked in {(report.ms / 1000).toFixed(2)} s
              </Text>
            </InlineStack>
            {!report.ok && (
              <List type="bullet">
                {report.mismatches.map((mismatch, index) => (
                  <List.Item key={index}>{mismatch.detail}</List.Item>
                ))}
              </List>
            )}
          </BlockStack>
        )}
        <Text as="h3" variant="headingSm">
          Last reconciliation with Shopify
        </Text>
        {lastReconciliation ? (
          <Text as="p">
            {lastReconciliation.status === "done"
              ? `${lastReconciliation.ordersSeen.toLocaleString()} orders updated ${new Date(lastReconciliation.since).toLocaleString()} – ${new Date(lastReconciliation.until).toLocaleString()} checked; ` +
                `${lastReconciliation.ordersRepaired.toLocaleString()} repaired (${lastReconciliation.pointsRepaired >= 0 ? "+" : ""}${lastReconciliation.pointsRepaired.toLocaleString()} points)` +
                (lastReconciliation.ordersSkipped > 0 ? `, ${lastReconciliation.ordersSkipped} that could not be read` : "") +
                (lastReconciliation.finishedAt ? `, finished ${new Date(lastReconciliation.finishedAt).toLocaleString()}.` : ".")
              : lastReconciliation.status === "running"
                ? "Running now."
                : `Failed: ${lastReconciliation.error ?? "unknown error"}. It runs again later.`}
          </Text>
        ) : (
          <Text as="p" tone="subdued">
            Not run yet: it runs once a day and repairs orders whose webhooks Shopify could not deliver.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
