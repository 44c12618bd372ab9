import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRouteError, useSubmit } from "@remix-run/react";
import { Banner, Button, Layout } from "@shopify/polaris";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";
import { programMeta } from "~/components/program/program-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramItemList, ProgramListPage } from "~/components/program/ProgramListPage";
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

  const addReward = { content: t("addReward"), url: "/app/program/rewards/new" };
  const items = rewards.map((reward) => {
    const tier = tiers.find((candidate) => candidate.id === reward.tierId);
    return {
      id: reward.id,
      title: reward.title,
      enabled: reward.enabled,
      details: [t(`kind_${reward.kind}`), t("costPoints", { points: reward.costPoints }), tier ? t("tierOrAbove", { tier: tier.name }) : null, t("redeemedCount", { count: reward.redemptions })].filter(Boolean).join(" · "),
      editUrl: `/app/program/rewards/${reward.id}`,
      onToggle: () => act(reward.id, reward.enabled ? "disable" : "enable"),
      toggling: busy === String(reward.id),
      // Only a reward nobody redeemed can be deleted; one with redemptions can only be turned off.
      moreActions: reward.redemptions === 0 && (
        <Button tone="critical" variant="plain" onClick={() => act(reward.id, "delete")} accessibilityLabel={`${t("delete")} ${reward.title}`}>
          {t("delete")}
        </Button>
      ),
    };
  });

  return (
    <ProgramListPage title={t("rewardsTitle")} addAction={addReward}>
      <Layout>
        {actionData && !actionData.ok && (
          <Layout.Section>
            <Banner tone="critical" title={actionData.error === "has_redemptions" ? t("deleteRefused") : t("notFound")} />
          </Layout.Section>
        )}
        <Layout.Section>
          <ProgramItemList items={items} empty={{ heading: t("rewardsEmptyHeading"), text: t("rewardsEmptyText"), addAction: addReward }} />
        </Layout.Section>
      </Layout>
    </ProgramListPage>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
