import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError, useSubmit } from "@remix-run/react";
import { BlockStack, Card, Checkbox, FormLayout, Layout, Select, Text, TextField } from "@shopify/polaris";
import { programMessages } from "~/admin/messages/program";
import { formFieldErrors, rewardInputFromForm } from "~/admin/program-forms";
import { useTranslate } from "~/admin/use-translate";
import { fieldErrorText } from "~/components/program/field-error";
import { programMeta } from "~/components/program/program-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramFormPage, SaveAnswerSection, SaveButtonSection, useStoredValues } from "~/components/program/ProgramFormPage";
import db from "~/db.server";
import type { FieldErrors } from "~/loyalty/field-errors";
import { currencyExponent, formatMinorUnits, isKnownCurrency } from "~/loyalty/money";
import { findReward, rewardFieldErrors, saveReward } from "~/loyalty/reward-settings.server";
import { REWARD_KINDS, type RewardRow } from "~/loyalty/rewards";
import { ensureShop } from "~/loyalty/shops.server";
import { listTiers } from "~/loyalty/tier-settings.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { authenticate } from "~/shopify.server";

/** "new", or a reward id of this shop; anything else is not found. */
function rewardIdOf(param: string | undefined): number | "new" | null {
  if (param === "new") return "new";
  return param && /^[1-9]\d{0,9}$/.test(param) ? Number(param) : null;
}

async function shopCurrency(shop: string) {
  const { currency } = await inTransaction(db, (tx) => ensureShop(tx, shop));
  return { currency, exponent: currency && isKnownCurrency(currency) ? currencyExponent(currency) : 2 };
}

export const meta = programMeta("rewardsTitle");

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = rewardIdOf(params.id);
  const reward = typeof id === "number" ? await findReward(db, session.shop, id) : null;
  if (id === null || (id !== "new" && !reward)) throw new Response("Not found", { status: 404 });
  const [{ currency, exponent }, tiers] = await Promise.all([shopCurrency(session.shop), listTiers(db, session.shop)]);
  return { reward, currency, exponent, tiers };
};

export type RewardActionData = { ok: false; fieldErrors: FieldErrors };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const id = rewardIdOf(params.id);
  if (id === null) throw new Response("Not found", { status: 404 });
  const { exponent } = await shopCurrency(session.shop);
  const { input, fieldErrors: amountErrors } = rewardInputFromForm(await request.formData(), exponent);
  // An amount that did not parse is reported as such, not as the schema's type error.
  const checked = rewardFieldErrors(input);
  const invalid = { ...(checked.fieldErrors ? formFieldErrors(checked.fieldErrors) : {}), ...amountErrors };
  if (Object.keys(invalid).length > 0) return json<RewardActionData>({ ok: false, fieldErrors: invalid }, { status: 422 });
  const result = await saveReward(db, session.shop, id === "new" ? null : id, input, { actor: adminActor(sessionToken) });
  if (!result.ok && "notFound" in result) throw new Response("Not found", { status: 404 });
  if (!result.ok) return json<RewardActionData>({ ok: false, fieldErrors: formFieldErrors(result.fieldErrors) }, { status: 422 });
  await publishProgramChange(session.shop, { tiersChanged: false });
  return redirect("/app/program/rewards");
};

type Values = Record<string, string | boolean>;

function valuesOf(reward: RewardRow | null, exponent: number): Values {
  const money = (minor: number | null | undefined) => (minor === null || minor === undefined ? "" : formatMinorUnits(minor, exponent));
  const number = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));
  return {
    kind: reward?.kind ?? "fixed_amount",
    title: reward?.title ?? "",
    costPoints: number(reward?.costPoints ?? 500),
    enabled: reward?.enabled ?? true,
    amount: money(reward?.amountMinor),
    percentage: number(reward?.percentage),
    variantGid: reward?.variantGid?.replace("gid://shopify/ProductVariant/", "") ?? "",
    minPoints: number(reward?.minPoints),
    maxPoints: number(reward?.maxPoints),
    stepPoints: number(reward?.stepPoints),
    minimumSubtotal: money(reward?.minimumSubtotalMinor),
    codeExpiryDays: number(reward?.codeExpiryDays),
    "combinesWith.order": reward?.combinesWithOrder ?? false,
    "combinesWith.product": reward?.combinesWithProduct ?? false,
    "combinesWith.shipping": reward?.combinesWithShipping ?? false,
    tierId: number(reward?.tierId),
  };
}

export default function RewardPage() {
  const { reward, currency, exponent, tiers } = useLoaderData<typeof loader>();
  const actionData = useActionData<RewardActionData>();
  const submit = useSubmit();
  const t = useTranslate(programMessages);
  const draft = useStoredValues({ reward, exponent }, () => valuesOf(reward, exponent));
  const { values, set } = draft;
  const errors = actionData?.fieldErrors;
  const kind = String(values.kind);
  const currencyName = currency ?? "";

  const field = (name: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} name={name} value={String(values[name])} onChange={set(name)} autoComplete="off" error={fieldErrorText(t, errors, name)} {...extra} />
  );
  const check = (name: string, label: string) => <Checkbox label={label} checked={values[name] === true} onChange={set(name)} />;
  const save = () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(values)) if (value !== false) form.set(name, value === true ? "on" : value);
    submit(form, { method: "post" });
  };
  const title = reward ? t("rewardEditTitle") : t("rewardNewTitle");
  const hasAmount = kind === "fixed_amount" || kind === "store_credit" || kind === "free_product" || kind === "variable";

  return (
    <ProgramFormPage title={title} backAction={{ content: t("navRewards"), url: "/app/program/rewards" }} saveBarId="reward-save-bar" isNew={reward === null} draft={draft} answer={actionData} onSave={save}>
      <Layout>
        <SaveAnswerSection />
        <Layout.Section>
          <Card>
            <FormLayout>
              <Select
                label={t("kind")}
                name="kind"
                options={REWARD_KINDS.map((value) => ({ value, label: t(`kind_${value}`) }))}
                value={kind}
                onChange={set("kind")}
                error={fieldErrorText(t, errors, "kind")}
              />
              {field("title", t("title"), { maxLength: 255 })}
              <FormLayout.Group>
                {field("costPoints", t("cost"), { type: "number", min: 1, helpText: kind === "variable" ? t("costVariableHelp") : undefined })}
                {hasAmount &&
                  field("amount", t("amount", { currency: currencyName }), { inputMode: "decimal", helpText: kind === "free_product" ? t("amountFreeProductHelp") : undefined })}
                {kind === "percentage" && field("percentage", t("percentage"), { type: "number", min: 1, max: 100, suffix: "%" })}
              </FormLayout.Group>
              {kind === "free_product" && field("variantGid", t("variant"), { inputMode: "numeric" })}
              {kind === "variable" && (
                <FormLayout.Group condensed>
                  {field("minPoints", t("minPoints"), { type: "number", min: 1 })}
                  {field("maxPoints", t("maxPoints"), { type: "number", min: 1 })}
                  {field("stepPoints", t("stepPoints"), { type: "number", min: 1 })}
                </FormLayout.Group>
              )}
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <FormLayout>
              <FormLayout.Group>
                {field("minimumSubtotal", t("minimumSubtotal", { currency: currencyName }), { inputMode: "decimal", helpText: t("optional") })}
                {field("codeExpiryDays", t("codeExpiryDays"), { type: "number", min: 1, helpText: t("optional") })}
              </FormLayout.Group>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  {t("combinesHeading")}
                </Text>
                {check("combinesWith.order", t("combinesOrder"))}
                {check("combinesWith.product", t("combinesProduct"))}
                {check("combinesWith.shipping", t("combinesShipping"))}
              </BlockStack>
              <Select
                label={t("tierRestriction")}
                name="tierId"
                options={[{ value: "", label: t("everyone") }, ...tiers.map((tier) => ({ value: String(tier.id), label: t("tierOrAbove", { tier: tier.name }) }))]}
                value={String(values.tierId)}
                onChange={set("tierId")}
                error={fieldErrorText(t, errors, "tierId")}
              />
              {check("enabled", t("enabled"))}
            </FormLayout>
          </Card>
        </Layout.Section>
        <SaveButtonSection />
      </Layout>
    </ProgramFormPage>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
