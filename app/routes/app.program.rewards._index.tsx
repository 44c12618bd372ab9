import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRouteError, useSubmit } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, EmptyState, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";
import { programMeta } from "~/components/program/program-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import db from "~/db.server";
import { deleteReward, listRewards, setRewardEnabled } from "~/loyalty/reward-settings.server";
import { listTiers } from "~/loyalty/tier-settings.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { authenticate } from "~/shopify.server";

export const meta = programMeta("rewardsTitle");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [rewards, tiers] = await Promise.all([listRewards(db, session.shop), listTiers(db, session.shop)]);
  return { rewards, tiers };
};

export type RewardListActionData = { ok: true } | { ok: false; error: "not_found" | "has_redemptions" | "invalid" };

/** Turn a reward on or off, or delete one nobody redeemed. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  const rewardId = Number(form.get("rewardId"));
  const intent = form.get("intent");
  if (!Number.isSafeInteger(rewardId) || rewardId < 1 || (intent !== "enable" && intent !== "disable" && intent !== "delete")) {
    return json<RewardListActionData>({ ok: false, error: "invalid" }, { status: 400 });
  }
  const options = { actor: adminActor(sessionToken) };
  if (intent === "delete") {
    const outcome = await deleteReward(db, session.shop, rewardId, options);
    if (outcome !== "deleted") return json<RewardListActionData>({ ok: false, error: outcome }, { status: outcome === "not_found" ? 404 : 409 });
  } else if (!(await setRewardEnabled(db, session.shop, rewardId, intent === "enable", options))) {
    return json<RewardListActionData>({ ok: false, error: "not_found" }, { status: 404 });
  }
  await publishProgramChange(session.shop, { tiersChanged: false });
  return json<RewardListActionData>({ ok: true });
};

export default function RewardsPage() {
  const { rewards, tiers } = useLoaderData<typeof loader>();
  const actionData = useActionData<RewardListActionData>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const t = useTranslate(programMessages);
  const busy = navigation.state !== "idle" ? navigation.formData?.get("rewardId") : null;
  const act = (rewardId: number, intent: "enable" | "disable" | "delete") => submit({ rewardId: String(rewardId), intent }, { method: "post" });

  return (
    <Page title={t("rewardsTitle")} backAction={{ content: t("navSettings"), url: "/app/program" }} primaryAction={{ content: t("addReward"), url: "/app/program/rewards/new" }}>
      <TitleBar title={t("rewardsTitle")} />
      <Layout>
        {actionData && !actionData.ok && (
          <Layout.Section>
            <Banner tone="critical" title={actionData.error === "has_redemptions" ? t("deleteRefused") : t("notFound")} />
          </Layout.Section>
        )}
        <Layout.Section>
          <Card padding="0">
            {rewards.length === 0 ? (
              <EmptyState heading={t("rewardsEmptyHeading")} action={{ content: t("addReward"), url: "/app/program/rewards/new" }} image="">
                <p>{t("rewardsEmptyText")}</p>
              </EmptyState>
            ) : (
              <BlockStack>
                {rewards.map((reward, index) => {
                  const tier = tiers.find((candidate) => candidate.id === reward.tierId);
                  return (
                    <Box key={reward.id} padding="400" borderBlockStartWidth={index === 0 ? undefined : "025"} borderColor="border">
                      <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                        <BlockStack gap="100">
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="h3" variant="bodyMd" fontWeight="semibold">
                              {reward.title}
                            </Text>
                            <Badge tone={reward.enabled ? "success" : undefined}>{reward.enabled ? t("statusOn") : t("statusOff")}</Badge>
                          </InlineStack>
                          <Text as="p" tone="subdued">
                            {[t(`kind_${reward.kind}`), t("costPoints", { points: reward.costPoints }), tier ? t("tierOrAbove", { tier: tier.name }) : null, t("redeemedCount", { count: reward.redemptions })]
                              .filter(Boolean)
                              .join(" · ")}
                          </Text>
                        </BlockStack>
                        <ButtonGroup>
                          <Button url={`/app/program/rewards/${reward.id}`} accessibilityLabel={`${t("edit")} ${reward.title}`}>
                            {t("edit")}
                          </Button>
                          <Button onClick={() => act(reward.id, reward.enabled ? "disable" : "enable")} loading={busy === String(reward.id)} accessibilityLabel={`${reward.enabled ? t("turnOff") : t("turnOn")} ${reward.title}`}>
                            {reward.enabled ? t("turnOff") : t("turnOn")}
                          </Button>
                          {reward.redemptions === 0 && (
                            <Button tone="critical" variant="plain" onClick={() => act(reward.id, "delete")} accessibilityLabel={`${t("delete")} ${reward.title}`}>
                              {t("delete")}
                            </Button>
                          )}
                        </ButtonGroup>
                      </InlineStack>
                    </Box>
                  );
                })}
              </BlockStack>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
