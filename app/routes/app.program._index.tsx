import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError, useSubmit } from "@remix-run/react";
import { BlockStack, Card, Checkbox, FormLayout, InlineGrid, Layout, List, Select, Text, TextField } from "@shopify/polaris";
import type { Translate } from "~/admin/i18n";
import { actionsMessages } from "~/admin/messages/actions";
import { programMessages, type ProgramMessageKey } from "~/admin/messages/program";
import { programSettingsFromForm } from "~/admin/program-forms";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import { fieldErrorText } from "~/components/program/field-error";
import { EarningExample } from "~/components/program/EarningExample";
import { programMeta } from "~/components/program/program-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramFormPage, SaveAnswerSection, SaveButtonSection, useStoredValues } from "~/components/program/ProgramFormPage";
import db from "~/db.server";
import type { FieldErrors } from "~/loyalty/field-errors";
import { programSettingsOf, saveProgramSettings, type ProgramSettings } from "~/loyalty/program-settings.server";
import { programHistory } from "~/loyalty/program-versions.server";
import { ensureShop } from "~/loyalty/shops.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { authenticate } from "~/shopify.server";

export const meta = programMeta("settingsTitle");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await inTransaction(db, (tx) => ensureShop(tx, session.shop));
  return {
    settings: programSettingsOf(shop.program),
    version: shop.programVersion,
    currency: shop.currency,
    history: await programHistory(db, session.shop, 10),
  };
};

export type ProgramActionData = { ok: true; version: number } | { ok: false; fieldErrors: FieldErrors } | { ok: false; stale: true };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  const expected = Number(form.get("version"));
  const result = await saveProgramSettings(db, session.shop, programSettingsFromForm(form), {
    actor: adminActor(sessionToken),
    expectedVersion: Number.isSafeInteger(expected) && expected > 0 ? expected : undefined,
  });
  if (!result.ok) {
    return "stale" in result
      ? json<ProgramActionData>({ ok: false, stale: true }, { status: 409 })
      : json<ProgramActionData>({ ok: false, fieldErrors: result.fieldErrors }, { status: 422 });
  }
  await publishProgramChange(session.shop, { tiersChanged: result.tierRulesChanged });
  return json<ProgramActionData>({ ok: true, version: result.version });
};

type Values = Record<string, string | boolean>;

/** The form's fields by name (program-forms.ts reads the same names). */
function valuesOf(settings: ProgramSettings): Values {
  const a = settings.appearance;
  return {
    name: settings.name,
    "earning.points": String(settings.earning.points),
    "earning.perMajorUnits": String(settings.earning.perMajorUnits),
    pendingDays: String(settings.pendingDays),
    expiryDays: settings.expiryDays === null ? "" : String(settings.expiryDays),
    signupPoints: String(settings.signupPoints),
    birthdayPoints: String(settings.birthdayPoints),
    "referrals.enabled": settings.referrals.enabled,
    "referrals.referrerPoints": String(settings.referrals.referrerPoints),
    "referrals.friendDiscountMajorUnits": String(settings.referrals.friendDiscountMajorUnits),
    "referrals.weeklyCapPerReferrer": String(settings.referrals.weeklyCapPerReferrer),
    "redemption.maxRedeemsPerHour": String(settings.redemption.maxRedeemsPerHour),
    "redemption.returnPointsForExpiredCodes": settings.redemption.returnPointsForExpiredCodes,
    "redemption.returnPointsForCancelledOrders": settings.redemption.returnPointsForCancelledOrders,
    "tiers.basis": settings.tiers.basis,
    "tiers.period": settings.tiers.period,
    "appearance.heading": a.heading ?? "",
    "appearance.launcherLabel": a.launcherLabel ?? "",
    "appearance.accentColor": a.accentColor ?? "",
    "appearance.accentTextColor": a.accentTextColor ?? "",
    "appearance.backgroundColor": a.backgroundColor ?? "",
    "appearance.textColor": a.textColor ?? "",
  };
}

export default function ProgramSettingsPage() {
  const { settings, version, currency, history } = useLoaderData<typeof loader>();
  const actionData = useActionData<ProgramActionData>();
  const submit = useSubmit();
  const t = useTranslate(programMessages);
  const ta = useTranslate(actionsMessages);
  const locale = useAdminLocale();
  const draft = useStoredValues(settings, () => valuesOf(settings));
  const { values, set } = draft;
  const errors = actionData && !actionData.ok && "fieldErrors" in actionData ? actionData.fieldErrors : undefined;
  const currencyName = currency ?? "";

  const text = (name: string) => String(values[name]);
  const field = (name: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} name={name} value={text(name)} onChange={set(name)} autoComplete="off" error={fieldErrorText(t, errors, name)} {...extra} />
  );
  const save = () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(values)) form.set(name, typeof value === "boolean" ? String(value) : value);
    form.set("version", String(version));
    submit(form, { method: "post" });
  };

  return (
    <ProgramFormPage
      title={t("settingsTitle")}
      secondaryActions={[{ content: ta("link"), url: "/app/program/actions" }]}
      saveBarId="program-save-bar"
      draft={draft}
      answer={actionData}
      onSave={save}
    >
      <Layout>
        <SaveAnswerSection />
        <Layout.AnnotatedSection title={t("earningHeading")} description={t("versionNote")}>
          <Card>
            <FormLayout>
              {field("name", t("nameLabel"), { maxLength: 80 })}
              <FormLayout.Group>
                {field("earning.points", t("earningPoints"), { type: "number", min: 0, inputMode: "numeric" })}
                {field("earning.perMajorUnits", t("earningPer", { currency: currencyName }), { type: "number", min: 1, inputMode: "numeric" })}
              </FormLayout.Group>
              <Text as="p" tone="subdued">
                {t("earningHelp")}
              </Text>
              <EarningExample points={text("earning.points")} perMajorUnits={text("earning.perMajorUnits")} currency={currency} locale={locale} />
              {field("pendingDays", t("pendingDays"), { type: "number", min: 0, max: 365, helpText: t("pendingDaysHelp") })}
              {field("expiryDays", t("expiryDays"), { type: "number", min: 1, max: 3650, helpText: t("expiryDaysHelp") })}
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("bonusesHeading")} description={t("zeroIsOff")}>
          <Card>
            <FormLayout>
              <FormLayout.Group>
                {field("signupPoints", t("signupPoints"), { type: "number", min: 0 })}
                {field("birthdayPoints", t("birthdayPoints"), { type: "number", min: 0 })}
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("referralsHeading")} description={t("weeklyCapHelp")}>
          <Card>
            <FormLayout>
              <Checkbox label={t("referralsEnabled")} checked={values["referrals.enabled"] === true} onChange={set("referrals.enabled")} />
              <FormLayout.Group>
                {field("referrals.referrerPoints", t("referrerPoints"), { type: "number", min: 0, helpText: t("referrerHelp") })}
                {field("referrals.friendDiscountMajorUnits", t("friendDiscount", { currency: currencyName }), { type: "number", min: 0 })}
              </FormLayout.Group>
              <FormLayout.Group>
                {field("referrals.weeklyCapPerReferrer", t("weeklyCap"), { type: "number", min: 1 })}
                {field("redemption.maxRedeemsPerHour", t("maxRedeems"), { type: "number", min: 1 })}
              </FormLayout.Group>
              <Checkbox label={t("returnExpired")} checked={values["redemption.returnPointsForExpiredCodes"] === true} onChange={set("redemption.returnPointsForExpiredCodes")} />
              <Checkbox label={t("returnCancelled")} checked={values["redemption.returnPointsForCancelledOrders"] === true} onChange={set("redemption.returnPointsForCancelledOrders")} />
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("tierRulesHeading")} description={t("tierRecalcNote")}>
          <Card>
            <FormLayout>
              <FormLayout.Group>
                <Select
                  label={t("tierBasis")}
                  options={[
                    { label: t("basisPoints"), value: "points" },
                    { label: t("basisAmount"), value: "amount" },
                  ]}
                  value={text("tiers.basis")}
                  onChange={set("tiers.basis")}
                  error={fieldErrorText(t, errors, "tiers.basis")}
                />
                <Select
                  label={t("tierPeriod")}
                  options={[
                    { label: t("periodLifetime"), value: "lifetime" },
                    { label: t("periodCalendarYear"), value: "calendar_year" },
                    { label: t("periodRolling"), value: "rolling_12_months" },
                  ]}
                  value={text("tiers.period")}
                  onChange={set("tiers.period")}
                  error={fieldErrorText(t, errors, "tiers.period")}
                />
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("appearanceHeading")} description={t("textsHelp")}>
          <Card>
            <FormLayout>
              <FormLayout.Group>
                {field("appearance.heading", t("widgetHeading"), { maxLength: 60 })}
                {field("appearance.launcherLabel", t("launcherLabel"), { maxLength: 60 })}
              </FormLayout.Group>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                {(["accentColor", "accentTextColor", "backgroundColor", "textColor"] as const).map((name) => (
                  <ColourField key={name} label={t(name)} help={t("colourHelp")} value={text(`appearance.${name}`)} onChange={set(`appearance.${name}`)} name={`appearance.${name}`} error={fieldErrorText(t, errors, `appearance.${name}`)} />
                ))}
              </InlineGrid>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("historyHeading")}>
          <Card>
            {history.length === 0 ? (
              <Text as="p">{t("historyEmpty")}</Text>
            ) : (
              <List>
                {history.map((entry) => (
                  <List.Item key={entry.version}>
                    {t("historyItem", { version: entry.version, date: new Date(entry.effectiveAt).toLocaleString(locale), change: changeLabel(t, entry.change) })}
                  </List.Item>
                ))}
              </List>
            )}
          </Card>
        </Layout.AnnotatedSection>
        <SaveButtonSection />
      </Layout>
    </ProgramFormPage>
  );
}

/** What a version changed ("program", "reward:12", "tier:3", "initial"), for the history list. */
function changeLabel(t: Translate<ProgramMessageKey>, change: string): string {
  if (change === "initial") return t("changeInitial");
  if (change.startsWith("reward:")) return t("changeReward");
  if (change.startsWith("tier")) return t("changeTier");
  return t("changeProgram");
}

function ColourField(props: { label: string; help: string; name: string; value: string; error?: string; onChange: (value: string) => void }) {
  const swatch = /^#[0-9a-f]{6}$/i.test(props.value) ? props.value : "transparent";
  return (
    <BlockStack gap="100">
      <TextField
        label={props.label}
        name={props.name}
        value={props.value}
        onChange={props.onChange}
        autoComplete="off"
        placeholder="#1d4ed8"
        helpText={props.help}
        error={props.error}
        prefix={<span aria-hidden="true" style={{ display: "inline-block", width: 16, height: 16, borderRadius: 4, border: "1px solid #8a8a8a", background: swatch }} />}
      />
    </BlockStack>
  );
}

export function ErrorBoundary() {
  return <ProgramErrorState error={useRouteError()} />;
}
