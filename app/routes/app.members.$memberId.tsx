// A member's page: balance, pending points, tier, the points history (keyset pages, newest
// first), orders, redemptions, referrals, and the manual adjustment form.
import { randomUUID } from "node:crypto";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, FormLayout, InlineGrid, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState, type ReactNode } from "react";
import { membersMessages } from "~/admin/messages/members";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import db from "~/db.server";
import { parseManualAdjustment, type AdjustmentField, type AdjustmentProblem } from "~/loyalty/manual-adjustment";
import { adjustMemberPoints } from "~/loyalty/manual-adjustment.server";
import { authenticate } from "~/shopify.server";
import { staffActor } from "~/shopify/staff-member.server";

const HISTORY_PAGE_SIZE = 25;

function memberIdFrom(params: LoaderFunctionArgs["params"]): number {
  const id = params.memberId ?? "";
  if (!/^\d{1,9}$/.test(id)) throw new Response("Not found", { status: 404 });
  return Number(id);
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const memberId = memberIdFrom(params);
  // Scoped by the session's shop: another shop's member is not found.
  const member = await db.member.findFirst({ where: { id: memberId, shopDomain: session.shop } });
  if (!member) throw new Response("Not found", { status: 404 });
  const before = new URL(request.url).searchParams.get("before");
  const beforeId = before && /^\d{1,12}$/.test(before) ? Number(before) : null;
  const [entries, orders, redemptions, referrals, tier] = await Promise.all([
    db.ledgerEntry.findMany({
      where: { memberId, ...(beforeId ? { id: { lt: beforeId } } : {}) },
      orderBy: { id: "desc" },
      take: HISTORY_PAGE_SIZE + 1,
      select: { id: true, createdAt: true, delta: true, kind: true, status: true, actor: true, note: true },
    }),
    db.orderSnapshot.findMany({
      where: { shopDomain: session.shop, holderMemberId: memberId },
      orderBy: { orderId: "desc" },
      take: 20,
      select: { orderId: true, pointsCredited: true, paidAt: true, cancelledAt: true },
    }),
    db.redemption.findMany({ where: { memberId }, orderBy: { createdAt: "desc" }, take: 20, select: { id: true, title: true, pointsSpent: true, status: true, code: true, createdAt: true } }),
    db.referral.findMany({
      where: { referrerMemberId: memberId },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true, referredCustomerId: true, status: true, points: true, createdAt: true },
    }),
    member.tierId === null ? null : db.tier.findFirst({ where: { id: member.tierId, shopDomain: session.shop }, select: { name: true } }),
  ]);
  return {
    member: {
      id: member.id,
      customerId: String(member.customerId),
      name: [member.firstName, member.lastName].filter(Boolean).join(" "),
      email: member.email,
      balance: Number(member.balance),
      pendingBalance: Number(member.pendingBalance),
      lifetimeEarned: Number(member.lifetimeEarned),
      tier: tier?.name ?? null,
      joinedAt: member.createdAt.toISOString(),
    },
    history: entries.slice(0, HISTORY_PAGE_SIZE).map((entry) => ({ ...entry, delta: Number(entry.delta), createdAt: entry.createdAt.toISOString() })),
    olderBefore: entries.length > HISTORY_PAGE_SIZE ? entries[HISTORY_PAGE_SIZE - 1].id : null,
    isNewest: beforeId === null,
    orders: orders.map((order) => ({ orderId: String(order.orderId), points: Number(order.pointsCredited), cancelled: order.cancelledAt !== null, paidAt: order.paidAt?.toISOString() ?? null })),
    redemptions: redemptions.map((redemption) => ({ ...redemption, pointsSpent: Number(redemption.pointsSpent), createdAt: redemption.createdAt.toISOString() })),
    referrals: referrals.map((referral) => ({ ...referral, referredCustomerId: String(referral.referredCustomerId), createdAt: referral.createdAt.toISOString() })),
    // A fresh key per rendering of the form: submitting the same form twice adjusts once.
    adjustmentKey: randomUUID(),
  };
};

type ActionResult =
  | { ok: true; status: "adjusted" | "already_recorded"; balance: number }
  | { ok: false; errors: Partial<Record<AdjustmentField, AdjustmentProblem>>; balance?: number };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const memberId = memberIdFrom(params);
  const form = await request.formData();
  const parsed = parseManualAdjustment({ points: form.get("points"), reason: form.get("reason"), key: form.get("key") });
  if (!parsed.ok) return json<ActionResult>({ ok: false, errors: parsed.errors }, { status: 400 });
  const result = await adjustMemberPoints(db, session.shop, memberId, parsed.adjustment, await staffActor(db, session.shop, sessionToken));
  switch (result.status) {
    case "not_found":
      throw new Response("Not found", { status: 404 });
    case "below_zero":
      return json<ActionResult>({ ok: false, errors: { points: "below_zero" }, balance: result.balance }, { status: 400 });
    default:
      return json<ActionResult>({ ok: true, status: result.status, balance: result.balance });
  }
};

export default function MemberPage() {
  const { member, history, olderBefore, isNewest, orders, redemptions, referrals, adjustmentKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const t = useTranslate(membersMessages);
  const locale = useAdminLocale();
  const numbers = new Intl.NumberFormat(locale);
  const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (result?.ok) {
      setPoints("");
      setReason("");
    }
  }, [result]);
  const errors = result && !result.ok ? result.errors : {};
  const problem = (field: AdjustmentField) => {
    const code = errors[field];
    return code ? t(code, { balance: result && !result.ok ? (result.balance ?? member.balance) : member.balance }) : undefined;
  };
  const title = member.name || t("unnamed", { id: member.customerId });
  const historyLink = (before: number | null) => {
    const next = new URLSearchParams(params);
    if (before === null) next.delete("before");
    else next.set("before", String(before));
    return `?${next.toString()}`;
  };

  return (
    <Page title={title} subtitle={member.email ?? undefined} backAction={{ content: t("back"), url: "/app/members" }}>
      <TitleBar title={title} />
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, sm: 4 }} gap="400">
            <Figure label={t("balance")} value={numbers.format(member.balance)} />
            <Figure label={t("pending")} value={numbers.format(member.pendingBalance)} />
            <Figure label={t("lifetimeEarned")} value={numbers.format(member.lifetimeEarned)} />
            <Figure label={t("tier")} value={member.tier ?? t("noTier")} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <HeadedCard heading={t("adjustTitle")}>
            {result?.ok ? (
              <Banner tone="success">{t(result.status === "adjusted" ? "adjusted" : "alreadyRecorded", { balance: result.balance })}</Banner>
            ) : null}
            {errors.key ? <Banner tone="critical">{problem("key")}</Banner> : null}
            <Form method="post">
              <input type="hidden" name="key" value={adjustmentKey} />
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label={t("adjustPoints")}
                    name="points"
                    value={points}
                    onChange={setPoints}
                    inputMode="numeric"
                    autoComplete="off"
                    helpText={t("adjustPointsHelp")}
                    error={problem("points")}
                  />
                  <TextField label={t("adjustReason")} name="reason" value={reason} onChange={setReason} autoComplete="off" helpText={t("adjustReasonHelp")} error={problem("reason")} maxLength={500} />
                </FormLayout.Group>
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  {t("adjustSubmit")}
                </Button>
              </FormLayout>
            </Form>
          </HeadedCard>
        </Layout.Section>
        <Layout.Section>
          <HeadedCard heading={t("history")}>
            {history.length === 0 ? (
              <Text as="p">{t("noEntries")}</Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "numeric", "text", "text", "text"]}
                headings={[t("date"), t("change"), t("kind"), t("actor"), t("note")]}
                rows={history.map((entry) => [
                  dateTimes.format(new Date(entry.createdAt)),
                  `${entry.delta > 0 ? "+" : ""}${numbers.format(entry.delta)}`,
                  entry.status === "pending" ? `${entry.kind} (${t("pending")})` : entry.kind,
                  entry.actor,
                  entry.note ?? "",
                ])}
              />
            )}
            <InlineGrid columns={2} gap="200">
              <div>{isNewest ? null : <Button url={historyLink(null)}>{t("newestEntries")}</Button>}</div>
              <div style={{ textAlign: "right" }}>{olderBefore ? <Button url={historyLink(olderBefore)}>{t("olderEntries")}</Button> : null}</div>
            </InlineGrid>
          </HeadedCard>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <ListCard heading={t("orders")} emptyText={t("noOrders")} items={orders}>
              {(order) => (
                <Text as="p" key={order.orderId}>
                  {t("order", { id: order.orderId })}: {t("orderPoints", { points: order.points })} {order.cancelled ? <Badge>{t("orderCancelled")}</Badge> : null}
                </Text>
              )}
            </ListCard>
            <ListCard heading={t("redemptions")} emptyText={t("noRedemptions")} items={redemptions}>
              {(redemption) => (
                <Text as="p" key={redemption.id}>
                  {t("redemptionLine", { title: redemption.title, points: redemption.pointsSpent, status: redemption.status })}
                  {redemption.code ? ` · ${redemption.code}` : ""}
                </Text>
              )}
            </ListCard>
            <ListCard heading={t("referrals")} emptyText={t("noReferrals")} items={referrals}>
              {(referral) => (
                <Text as="p" key={referral.id}>
                  {t("referralLine", { id: referral.referredCustomerId, status: referral.status })}
                </Text>
              )}
            </ListCard>
            <Card>
              <BlockStack gap="100">
                <Text as="p" tone="subdued">
                  {t("customerId")}: {member.customerId}
                </Text>
                <Text as="p" tone="subdued">
                  {t("joined")}: {dateTimes.format(new Date(member.joinedAt))}
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h2" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** One of the member's lists beside the history (orders, redemptions, referrals): a line each, newest first, or a line that says there is none. */
function ListCard<Item>({ heading, emptyText, items, children: line }: { heading: string; emptyText: string; items: readonly Item[]; children: (item: Item) => ReactNode }) {
  return (
    <HeadedCard heading={heading} gap="200">
      {items.length === 0 ? <Text as="p">{emptyText}</Text> : null}
      {items.map(line)}
    </HeadedCard>
  );
}

/** A card of the member's page under its heading. */
function HeadedCard({ heading, gap = "300", children }: { heading: string; gap?: "200" | "300"; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap={gap}>
        <Text as="h2" variant="headingMd">
          {heading}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}
