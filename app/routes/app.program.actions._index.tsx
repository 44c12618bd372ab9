import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRouteError, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, InlineStack, Layout, Text } from "@shopify/polaris";
import { z } from "zod";
import { actionsMessages } from "~/admin/messages/actions";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import { actionsMeta } from "~/components/program/actions-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramItemList, ProgramListPage } from "~/components/program/ProgramListPage";
import db from "~/db.server";
import { decideActionClaim, listEarningActions, pendingActionClaims, setEarningActionEnabled } from "~/loyalty/earning-actions.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { requestFlowTriggers } from "~/shopify/flow-triggers.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { staffActor } from "~/shopify/staff-member.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import { authenticate } from "~/shopify.server";

export const meta = actionsMeta("title");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [actions, pending] = await Promise.all([listEarningActions(db, session.shop), pendingActionClaims(db, session.shop)]);
  return { actions, pending };
};

const id = z.coerce.number().int().min(1).max(2_147_483_647);
const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(["enable", "disable"]), actionId: id }),
  z.object({ intent: z.enum(["approve", "reject"]), claimId: id }),
]);

export type EarningActionListData = { ok: true; decided?: "approved" | "rejected" } | { ok: false; error: "invalid" | "not_found" | "already_decided" };

/** Turn an action on or off; approve or reject a waiting claim (the staff member is recorded). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const parsed = intentSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json<EarningActionListData>({ ok: false, error: "invalid" }, { status: 400 });
  const form = parsed.data;
  if ("actionId" in form) {
    if (!(await setEarningActionEnabled(db, session.shop, form.actionId, form.intent === "enable", { actor: adminActor(sessionToken) }))) {
      return json<EarningActionListData>({ ok: false, error: "not_found" }, { status: 404 });
    }
    await publishProgramChange(session.shop, { tiersChanged: false });
    return json<EarningActionListData>({ ok: true });
  }
  const outcome = await decideActionClaim(db, session.shop, form.claimId, form.intent === "approve" ? "approve" : "reject", await staffActor(db, session.shop, sessionToken));
  if (outcome === "not_found") return json<EarningActionListData>({ ok: false, error: "not_found" }, { status: 404 });
  if (outcome === "already_decided") return json<EarningActionListData>({ ok: false, error: "already_decided" }, { status: 409 });
  requestSummarySync(session.shop);
  if (outcome === "approved") requestFlowTriggers(session.shop);
  return json<EarningActionListData>({ ok: true, decided: outcome });
};

export default function EarningActionsPage() {
  const { actions, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<EarningActionListData>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const t = useTranslate(actionsMessages);
  const locale = useAdminLocale();
  const busy = navigation.state !== "idle" ? (navigation.formData?.get("actionId") ?? navigation.formData?.get("claimId")) : null;
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });

  const addAction = { content: t("addAction"), url: "/app/program/actions/new" };
  const items = actions.map((action) => ({
    id: action.id,
    title: action.title,
    enabled: action.enabled,
    badges: action.requiresApproval && <Badge tone="attention">{t("needsApproval")}</Badge>,
    details: [t(`kind_${action.kind}`), t("points", { points: action.points }), t("claims", { approved: action.approved, pending: action.pending })].join(" · "),
    editUrl: `/app/program/actions/${action.id}`,
    onToggle: () => submit({ actionId: String(action.id), intent: action.enabled ? "disable" : "enable" }, { method: "post" }),
    toggling: busy === String(action.id),
  }));

  return (
    <ProgramListPage title={t("title")} addAction={addAction}>
      <Layout>
        {actionData && (
          <Layout.Section>
            {actionData.ok ? (
              actionData.decided && <Banner tone="success" title={t(actionData.decided)} />
            ) : (
              <Banner tone={actionData.error === "already_decided" ? "warning" : "critical"} title={actionData.error === "already_decided" ? t("alreadyDecided") : t("notFound")} />
            )}
          </Layout.Section>
        )}
        <Layout.Section>
          <Text as="p" tone="subdued">
            {t("intro")}
          </Text>
        </Layout.Section>
        <Layout.Section>
          <ProgramItemList items={items} empty={{ heading: t("emptyHeading"), text: t("emptyText"), addAction }} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("queueTitle")}
              </Text>
              {pending.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("queueEmpty")}
                </Text>
              ) : (
                pending.map((claim) => {
                  const who = claim.email ?? claim.name ?? t("customer", { customer: String(claim.customerId) });
                  return (
                    <InlineStack key={claim.id} align="space-between" blockAlign="center" gap="300" wrap={false}>
                      <BlockStack gap="050">
                        <Text as="p" fontWeight="semibold">
                          {who}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t("queueItem", { action: claim.actionTitle, points: claim.points, date: dates.format(new Date(claim.createdAt)) })}
                        </Text>
                      </BlockStack>
                      <ButtonGroup>
                        <Button variant="primary" onClick={() => submit({ claimId: String(claim.id), intent: "approve" }, { method: "post" })} loading={busy === String(claim.id)} accessibilityLabel={`${t("approve")}: ${who}, ${claim.actionTitle}`}>
                          {t("approve")}
                        </Button>
                        <Button tone="critical" onClick={() => submit({ claimId: String(claim.id), intent: "reject" }, { method: "post" })} accessibilityLabel={`${t("reject")}: ${who}, ${claim.actionTitle}`}>
                          {t("reject")}
                        </Button>
                      </ButtonGroup>
                    </InlineStack>
                  );
                })
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </ProgramListPage>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
