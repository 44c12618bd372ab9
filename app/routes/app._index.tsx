// Home: the program's switch, the setup checklist, the shop's figures over a period with a chart,
// and the balances audit.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, useFetcher, useLoaderData, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, ProgressBar, Select, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useEffect } from "react";
import { z } from "zod";
import { adminLocale, type AdminLocale } from "~/admin/i18n";
import { homeMessages } from "~/admin/messages/home";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import { translator } from "~/admin/i18n";
import { LedgerAuditCard } from "~/components/LedgerAuditCard";
import { PointsChart } from "~/components/PointsChart";
import { showToast } from "~/components/toast";
import db from "~/db.server";
import { env } from "~/env.server";
import { appEmbedDeepLink, DASHBOARD_PERIODS, DEFAULT_PERIOD, periodSchema, setupStepSchema, type DashboardPeriod, type SetupStepName } from "~/loyalty/dashboard";
import { completeSetupStep, dashboard, reopenSetupStep, setProgramEnabled } from "~/loyalty/dashboard.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { lastReconciliation } from "~/shopify/ledger-audit.server";
import { authenticate } from "~/shopify.server";
import { sql } from "~/sql.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const requested = new URL(request.url).searchParams.get("period") ?? DEFAULT_PERIOD;
  const period = periodSchema.safeParse(requested);
  if (!period.success) {
    const t = translator(homeMessages, adminLocale(request));
    throw json({ error: { code: "invalid_period", message: t("invalidPeriod") } }, { status: 400 });
  }
  const [figures, reconciliation] = await Promise.all([dashboard(db, sql(), session.shop, period.data), lastReconciliation(db, session.shop)]);
  return { ...figures, lastReconciliation: reconciliation, appEmbedLink: appEmbedDeepLink(session.shop, env.SHOPIFY_API_KEY) };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("verify") }),
  z.object({ intent: z.literal("complete-step"), step: setupStepSchema }),
  z.object({ intent: z.literal("reopen-step"), step: setupStepSchema }),
  z.object({ intent: z.literal("set-program"), enabled: z.enum(["on", "off"]) }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const t = translator(homeMessages, adminLocale(request));
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "intent")));
    const errors: Record<string, string> = {};
    if (fields.has("intent")) errors.intent = t("invalidIntent");
    if (fields.has("step")) errors.step = t("invalidStep");
    if (fields.has("enabled")) errors.enabled = t("invalidEnabled");
    return json({ ok: false as const, errors }, { status: 400 });
  }
  const input = parsed.data;
  switch (input.intent) {
    case "verify":
      return json({ ok: true as const, report: await verifyLedger(db, { shop: session.shop }) });
    case "complete-step":
      await completeSetupStep(db, session.shop, input.step);
      return json({ ok: true as const, step: input.step });
    case "reopen-step":
      await reopenSetupStep(db, session.shop, input.step);
      return json({ ok: true as const, step: input.step });
    case "set-program":
      await setProgramEnabled(db, session.shop, input.enabled === "on");
      return json({ ok: true as const, enabled: input.enabled === "on" });
  }
};

type HomeData = ReturnType<typeof useLoaderData<typeof loader>>;
type T = ReturnType<typeof useTranslate<keyof (typeof homeMessages)["en"]>>;

function formatters(locale: AdminLocale, currency: string | null, exponent: number) {
  const numbers = new Intl.NumberFormat(locale);
  const money = (minor: number) =>
    new Intl.NumberFormat(locale, currency ? { style: "currency", currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent } : { minimumFractionDigits: exponent }).format(
      minor / 10 ** exponent,
    );
  const percent = (value: number | null) => (value === null ? null : new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value) + " %");
  const bucket = (key: string) =>
    key.length === 7
      ? new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${key}-01T00:00:00Z`))
      : new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${key}T00:00:00Z`));
  return { number: (value: number) => numbers.format(value), money, percent, bucket };
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const t = useTranslate(homeMessages);
  const locale = useAdminLocale();
  const format = formatters(locale, data.currency, data.exponent);
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";
  return (
    <Page>
      <TitleBar title={t("title")} />
      <Layout>
        <Layout.Section>
          <ProgramSwitch enabled={data.program.enabled} name={data.program.name} t={t} />
        </Layout.Section>
        <Layout.Section>
          <SetupChecklist data={data} t={t} format={format} />
        </Layout.Section>
        <Layout.Section>
          <PeriodFigures data={data} t={t} format={format} loading={loading} />
        </Layout.Section>
        <Layout.Section>
          <LedgerAuditCard lastReconciliation={data.lastReconciliation} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** Shows the App Bridge toast once for each answer of a fetcher that succeeded. */
function useToastOnSuccess(data: unknown, state: string, message: string) {
  useEffect(() => {
    if (state === "idle" && data && typeof data === "object" && "ok" in data && data.ok) showToast(message);
  }, [data, state, message]);
}

function ProgramSwitch({ enabled, name, t }: { enabled: boolean; name: string; t: T }) {
  const fetcher = useFetcher<typeof action>();
  const answer = fetcher.data as { ok: boolean; enabled?: boolean } | undefined;
  useToastOnSuccess(answer, fetcher.state, answer?.enabled ? t("programTurnedOn") : t("programTurnedOff"));
  const pendingOn = fetcher.formData?.get("enabled");
  const shown = pendingOn ? pendingOn === "on" : enabled;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t("programTitle", { name })}
            </Text>
            <Badge tone={shown ? "success" : undefined}>{shown ? t("programOn") : t("programOff")}</Badge>
          </InlineStack>
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="set-program" />
            <input type="hidden" name="enabled" value={shown ? "off" : "on"} />
            <Button submit variant={shown ? "secondary" : "primary"} loading={fetcher.state !== "idle"}>
              {shown ? t("turnOff") : t("turnOn")}
            </Button>
          </fetcher.Form>
        </InlineStack>
        <Text as="p" tone="subdued">
          {shown ? t("programOnHelp") : t("programOffHelp")}
        </Text>
      </BlockStack>
    </Card>
  );
}

type Format = ReturnType<typeof formatters>;

function SetupChecklist({ data, t, format }: { data: HomeData; t: T; format: Format }) {
  const done = data.checklist.filter((step) => step.doneAt !== null).length;
  const { earning } = data.program;
  const amount = data.currency ? format.money(earning.perMajorUnits * 10 ** data.exponent) : format.number(earning.perMajorUnits);
  const points = earning.points === 1 ? t("pointsOne") : t("pointsMany", { count: earning.points });
  const steps: Record<SetupStepName, { title: string; body: string; action: (step: SetupStepName) => React.ReactNode }> = {
    app_embed: {
      title: t("stepAppEmbedTitle"),
      body: t("stepAppEmbedBody"),
      action: (step) => <StepButton step={step} label={t("stepAppEmbedAction")} url={data.appEmbedLink} />,
    },
    earning_rate: { title: t("stepEarningRateTitle"), body: t("stepEarningRateBody", { points, amount }), action: (step) => <StepButton step={step} label={t("stepEarningRateAction")} /> },
    reward: { title: t("stepRewardTitle"), body: t("stepRewardBody"), action: (step) => <StepButton step={step} label={t("stepRewardAction")} /> },
  };
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("setupTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("setupProgress", { done, total: data.checklist.length })}
          </Text>
          <ProgressBar progress={(done / data.checklist.length) * 100} size="small" tone="primary" ariaLabelledBy={undefined} />
        </BlockStack>
        <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "var(--p-space-300)" }} aria-label={t("setupTitle")}>
          {data.checklist.map(({ step, doneAt }) => (
            <li key={step} data-step={step} data-done={doneAt !== null}>
              <Box borderColor="border" borderWidth="025" borderRadius="200" padding="300">
                <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                  <BlockStack gap="100">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {steps[step].title}
                      </Text>
                      <Badge tone={doneAt ? "success" : "attention"}>{doneAt ? t("stepDone") : t("stepToDo")}</Badge>
                    </InlineStack>
                    <Text as="p" tone="subdued">
                      {steps[step].body}
                    </Text>
                  </BlockStack>
                  {doneAt ? doneAt !== "found" && <StepButton step={step} label={t("markNotDone")} reopen /> : steps[step].action(step)}
                </InlineStack>
              </Box>
            </li>
          ))}
        </ul>
      </BlockStack>
    </Card>
  );
}

function StepButton({ step, label, url, reopen = false }: { step: SetupStepName; label: string; url?: string; reopen?: boolean }) {
  const fetcher = useFetcher<typeof action>();
  const submit = () => fetcher.submit({ intent: reopen ? "reopen-step" : "complete-step", step }, { method: "post" });
  if (url) {
    // The theme editor opens in a new tab; the step counts as done once the merchant went there.
    return (
      <Button url={url} target="_blank" onClick={submit} loading={fetcher.state !== "idle"}>
        {label}
      </Button>
    );
  }
  return (
    <Button onClick={submit} variant={reopen ? "plain" : "secondary"} loading={fetcher.state !== "idle"}>
      {label}
    </Button>
  );
}

function PeriodFigures({ data, t, format, loading }: { data: HomeData; t: T; format: Format; loading: boolean }) {
  const [, setSearchParams] = useSearchParams();
  const periodLabels: Record<DashboardPeriod, string> = { "7d": t("period7d"), "30d": t("period30d"), "90d": t("period90d"), "12m": t("period12m") };
  const none = t("notAvailable");
  return (
    <BlockStack gap="400">
      <InlineStack align="space-between" blockAlign="end">
        <Box minWidth="220px">
          <Select
            label={t("periodLabel")}
            options={DASHBOARD_PERIODS.map((period) => ({ value: period, label: periodLabels[period] }))}
            value={data.period}
            onChange={(period) => setSearchParams({ period }, { preventScrollReset: true })}
          />
        </Box>
        {loading && (
          <div role="status">
            <Text as="span" tone="subdued">
              {t("loading")}…
            </Text>
          </div>
        )}
      </InlineStack>
      <div aria-busy={loading} style={{ opacity: loading ? 0.5 : 1, transition: "opacity 120ms" }}>
        {data.members.total === 0 ? (
          <Card>
            <EmptyState heading={t("emptyTitle")} image="">
              <p>{t("emptyBody")}</p>
            </EmptyState>
          </Card>
        ) : (
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
              <Stat label={t("kpiMembers")} value={format.number(data.members.total)} help={t("kpiMembersJoined", { count: data.members.joined })} />
              <Stat label={t("kpiIssued")} value={format.number(data.points.issued)} />
              <Stat label={t("kpiRedeemed")} value={format.number(data.points.redeemed)} />
              <Stat label={t("kpiExpired")} value={format.number(data.points.expired)} />
              <Stat label={t("kpiOutstanding")} value={format.number(data.points.outstanding)} />
              <Stat
                label={t("kpiLiability")}
                value={data.liability ? format.money(data.liability.minor) : none}
                help={
                  data.liability
                    ? t("kpiLiabilityHelp", {
                        value: format.money(data.liability.reward.amountMinor / data.liability.reward.costPoints),
                        reward: data.liability.reward.title,
                        points: data.liability.reward.costPoints,
                      })
                    : t("kpiLiabilityNone")
                }
              />
              <Stat label={t("kpiRedemptionRate")} value={format.percent(data.redemptionRate) ?? none} help={t("kpiRedemptionRateHelp")} />
              <Stat label={t("kpiRepeatRate")} value={format.percent(data.memberOrders.repeatRate) ?? none} help={t("kpiRepeatRateHelp")} />
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <Stat
                label={t("kpiAverageOrder")}
                value={data.memberOrders.averageMinor === null ? none : format.money(data.memberOrders.averageMinor)}
                help={`${t("kpiAverageOrderHelp", { orders: data.memberOrders.orders })} ${t("nonMembersNote")}`}
              />
              <Card>
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm" tone="subdued">
                    {t("topReferrers")}
                  </Text>
                  {data.topReferrers.length === 0 ? (
                    <Text as="p" tone="subdued">
                      {t("topReferrersEmpty")}
                    </Text>
                  ) : (
                    <ol style={{ margin: 0, paddingInlineStart: "1.25em" }}>
                      {data.topReferrers.map((referrer) => (
                        <li key={referrer.memberId}>
                          <Text as="span" fontWeight="semibold">
                            {referrer.name}
                          </Text>{" "}
                          <Text as="span" tone="subdued">
                            {t("referrerFigures", { referrals: referrer.referrals, points: referrer.points })}
                          </Text>
                        </li>
                      ))}
                    </ol>
                  )}
                </BlockStack>
              </Card>
            </InlineGrid>
            <Card>
              <PointsChart
                series={data.series}
                formatBucket={format.bucket}
                formatNumber={format.number}
                labels={{
                  title: t("chartTitle"),
                  issued: t("chartIssued"),
                  redeemed: t("chartRedeemed"),
                  summary: t("chartSummary", { issued: data.points.issued, redeemed: data.points.redeemed }),
                  empty: t("chartEmpty"),
                  showData: t("chartShowData"),
                  date: t("chartDate"),
                }}
              />
            </Card>
          </BlockStack>
        )}
      </div>
    </BlockStack>
  );
}

function Stat({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value}
        </Text>
        {help && (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useTranslate(homeMessages);
  // Shopify's own answers (re-authentication) keep the library's handling.
  if (isRouteErrorResponse(error) && error.status !== 400 && error.status !== 500) return boundary.error(error);
  const message = isRouteErrorResponse(error) && error.status === 400 ? (error.data as { error?: { message?: string } })?.error?.message : undefined;
  return (
    <Page>
      <TitleBar title={t("title")} />
      <Banner tone="critical" title={t("errorTitle")}>
        <p>{message ?? t("errorBody")}</p>
      </Banner>
    </Page>
  );
}
