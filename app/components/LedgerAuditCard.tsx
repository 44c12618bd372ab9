// "Trust the numbers" in the admin: runs the same audit as `npm run verify` for this shop, and
// shows what the last reconciliation with Shopify found and repaired.
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, List, Text } from "@shopify/polaris";
import { auditMessages } from "~/admin/messages/audit";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
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
  const t = useTranslate(auditMessages);
  const locale = useAdminLocale();
  const when = (iso: string) => new Date(iso).toLocaleString(locale);
  const report = fetcher.data?.report;
  const running = fetcher.state !== "idle";
  const last = lastReconciliation;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("title")}
        </Text>
        <Text as="p" tone="subdued">
          {t("help")}
        </Text>
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="verify" />
          <Button submit loading={running}>
            {t("verify")}
          </Button>
        </fetcher.Form>
        {report && (
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="center">
              <Badge tone={report.ok ? "success" : "critical"}>{report.ok ? t("allAgree") : t("mismatches")}</Badge>
              <Text as="span" tone="subdued">
                {t("checked", {
                  members: report.checked.members,
                  entries: report.checked.entries,
                  orders: report.checked.orders,
                  rewards: report.checked.redemptions,
                  seconds: (report.ms / 1000).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
                })}
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
          {t("lastTitle")}
        </Text>
        {last ? (
          <Text as="p">
            {last.status === "done"
              ? [
                  t("lastDone", {
                    orders: last.ordersSeen,
                    since: when(last.since),
                    until: when(last.until),
                    repaired: last.ordersRepaired,
                    points: `${last.pointsRepaired >= 0 ? "+" : ""}${last.pointsRepaired.toLocaleString(locale)}`,
                  }),
                  last.ordersSkipped > 0 ? t("lastSkipped", { count: last.ordersSkipped }) : null,
                  last.finishedAt ? t("lastFinished", { at: when(last.finishedAt) }) : null,
                ]
                  .filter(Boolean)
                  .join(" ")
              : last.status === "running"
                ? t("lastRunning")
                : t("lastFailed", { error: last.error ?? "?" })}
          </Text>
        ) : (
          <Text as="p" tone="subdued">
            {t("lastNone")}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}
