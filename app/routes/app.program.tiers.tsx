import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRouteError, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, EmptyState, FormLayout, InlineStack, Layout, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { programMessages } from "~/admin/messages/program";
import { tierMessages } from "~/admin/messages/tiers";
import { tierInputFromForm } from "~/admin/program-forms";
import { useTranslate } from "~/admin/use-translate";
import { fieldErrorText } from "~/components/program/field-error";
import { programMeta } from "~/components/program/program-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramListPage } from "~/components/program/ProgramListPage";
import db from "~/db.server";
import type { FieldErrors } from "~/loyalty/field-errors";
import { ensureShop } from "~/loyalty/shops.server";
import { deleteTier, listTiers, saveTier } from "~/loyalty/tier-settings.server";
import type { TierWithPerks } from "~/loyalty/tiers";
import { inTransaction } from "~/loyalty/transaction.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { authenticate } from "~/shopify.server";

export const meta = programMeta("tiersTitle");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await inTransaction(db, (tx) => ensureShop(tx, session.shop));
  // Rewards an entry perk may issue: any of the shop's but variable ones (their value depends on the points spent).
  const rewards = await db.reward.findMany({ where: { shopDomain: session.shop, kind: { not: "variable" } }, orderBy: [{ position: "asc" }, { id: "asc" }], select: { id: true, title: true } });
  return { tiers: await listTiers(db, session.shop), basis: shop.program.tiers.basis, currency: shop.currency, rewards };
};

/** `form`: which form the answer is for ("new" or the tier's id), so only that one shows it. */
export type TierActionData =
  | { ok: true; form: string }
  | { ok: false; form: string; fieldErrors: FieldErrors }
  | { ok: false; form: string; error: "not_found" | "invalid" }
  | { ok: false; form: string; restrictedRewards: string[] };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const rawId = String(form.get("tierId") ?? "");
  const tierId = /^[1-9]\d{0,9}$/.test(rawId) ? Number(rawId) : null;
  const formKey = tierId === null ? "new" : String(tierId);
  const options = { actor: adminActor(sessionToken) };
  if ((intent !== "save" && intent !== "delete") || (rawId !== "" && tierId === null) || (intent === "delete" && tierId === null)) {
    return json<TierActionData>({ ok: false, form: formKey, error: "invalid" }, { status: 400 });
  }
  if (intent === "delete") {
    const outcome = await deleteTier(db, session.shop, tierId!, options);
    if (outcome === "not_found") return json<TierActionData>({ ok: false, form: formKey, error: "not_found" }, { status: 404 });
    if (outcome !== "deleted") return json<TierActionData>({ ok: false, form: formKey, restrictedRewards: outcome.restrictedRewards }, { status: 409 });
  } else {
    const result = await saveTier(db, session.shop, tierId, tierInputFromForm(form), options);
    if (!result.ok) {
      return "notFound" in result
        ? json<TierActionData>({ ok: false, form: formKey, error: "not_found" }, { status: 404 })
        : json<TierActionData>({ ok: false, form: formKey, fieldErrors: result.fieldErrors }, { status: 422 });
    }
  }
  await publishProgramChange(session.shop, { tiersChanged: true });
  return json<TierActionData>({ ok: true, form: formKey });
};

export default function TiersPage() {
  const { tiers, basis, currency, rewards } = useLoaderData<typeof loader>();
  const actionData = useActionData<TierActionData>();
  const t = useTranslate(programMessages);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    if (actionData?.ok && actionData.form === "new") setAdding(false);
  }, [actionData]);
  const thresholdHelp = basis === "amount" ? t("thresholdAmountHelp", { currency: currency ?? "" }) : t("thresholdPointsHelp");

  return (
    <ProgramListPage title={t("tiersTitle")} addAction={{ content: t("addTier"), onAction: () => setAdding(true), disabled: adding }}>
      <Layout>
        <Layout.Section>
          <Text as="p" tone="subdued">
            {t("tierRecalcNote")}
          </Text>
        </Layout.Section>
        {tiers.length === 0 && !adding && (
          <Layout.Section>
            <Card>
              <EmptyState heading={t("tiersEmptyHeading")} action={{ content: t("addTier"), onAction: () => setAdding(true) }} image="">
                <p>{t("tiersEmptyText")}</p>
              </EmptyState>
            </Card>
          </Layout.Section>
        )}
        {tiers.map((tier) => (
          <Layout.Section key={tier.id}>
            <TierForm tier={tier} rewards={rewards} thresholdHelp={thresholdHelp} answer={actionData?.form === String(tier.id) ? actionData : undefined} />
          </Layout.Section>
        ))}
        {adding && (
          <Layout.Section>
            <TierForm tier={null} rewards={rewards} thresholdHelp={thresholdHelp} answer={actionData?.form === "new" ? actionData : undefined} />
          </Layout.Section>
        )}
      </Layout>
    </ProgramListPage>
  );
}

function TierForm({
  tier,
  rewards,
  thresholdHelp,
  answer,
}: {
  tier: TierWithPerks | null;
  rewards: readonly { id: number; title: string }[];
  thresholdHelp: string;
  answer: TierActionData | undefined;
}) {
  const t = useTranslate(programMessages);
  const tt = useTranslate(tierMessages);
  const submit = useSubmit();
  const navigation = useNavigation();
  const initial = {
    name: tier?.name ?? "",
    thresholdPoints: tier ? String(tier.thresholdPoints) : "",
    multiplierPercent: tier ? String(tier.multiplierPercent) : "100",
    entryBonusPoints: tier ? String(tier.entryBonusPoints) : "0",
    entryRewardId: tier?.entryReward ? String(tier.entryReward.id) : "",
  };
  const [values, setValues] = useState(initial);
  const key = tier ? String(tier.id) : "new";
  // Only when the stored tier changed: a failed save reloads the same tier, and the edits stay.
  const storedKey = JSON.stringify(initial);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setValues(initial), [storedKey]);
  const busy = navigation.state !== "idle" && (navigation.formData?.get("tierId") ?? "") === (tier ? key : "");
  const errors = answer && !answer.ok && "fieldErrors" in answer ? answer.fieldErrors : undefined;
  const dirty = tier === null || (Object.keys(initial) as (keyof typeof initial)[]).some((name) => values[name] !== initial[name]);
  const errorText = (name: string) => fieldErrorText(t, errors, name);
  const send = (intent: "save" | "delete") => submit({ ...values, intent, tierId: tier ? key : "" }, { method: "post" });
  const field = (name: keyof typeof values, label: string, helpText?: string) => (
    <TextField
      label={label}
      name={name}
      id={`tier-${key}-${name}`}
      value={values[name]}
      onChange={(value) => setValues((current) => ({ ...current, [name]: value }))}
      autoComplete="off"
      type={name === "name" ? "text" : "number"}
      helpText={helpText}
      error={errorText(name)}
    />
  );
  const rewardOptions = [{ label: tt("entryRewardNone"), value: "" }, ...rewards.map((reward) => ({ label: reward.title, value: String(reward.id) }))];
  return (
    <Card>
      <BlockStack gap="300">
        {answer && !answer.ok && !("fieldErrors" in answer) && (
          <Banner tone="critical" title={"restrictedRewards" in answer ? t("tierDeleteRefused", { rewards: answer.restrictedRewards.join(", ") }) : t("notFound")} />
        )}
        <FormLayout>
          <FormLayout.Group condensed>
            {field("name", t("tierName"))}
            {field("thresholdPoints", t("threshold"), thresholdHelp)}
            {field("multiplierPercent", t("multiplier"), t("multiplierHelp"))}
          </FormLayout.Group>
          <Text as="h3" variant="headingSm">
            {tt("entryPerksHeading")}
          </Text>
          <FormLayout.Group condensed>
            {field("entryBonusPoints", tt("entryBonusPoints"), tt("entryBonusHelp"))}
            <Select
              label={tt("entryReward")}
              name="entryRewardId"
              id={`tier-${key}-entryRewardId`}
              options={rewardOptions}
              value={values.entryRewardId}
              onChange={(value) => setValues((current) => ({ ...current, entryRewardId: value }))}
              helpText={tt("entryRewardHelp")}
              error={errorText("entryRewardId")}
            />
          </FormLayout.Group>
        </FormLayout>
        <Box>
          <InlineStack align="end" gap="200">
            {tier && (
              <Button tone="critical" variant="plain" onClick={() => send("delete")} accessibilityLabel={`${t("delete")} ${tier.name}`}>
                {t("delete")}
              </Button>
            )}
            <Button variant="primary" onClick={() => send("save")} loading={busy} disabled={!dirty}>
              {t("save")}
            </Button>
          </InlineStack>
        </Box>
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
