import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError, useSubmit } from "@remix-run/react";
import { Card, Checkbox, FormLayout, Layout, Select, TextField } from "@shopify/polaris";
import { earningActionInputFromForm } from "~/admin/action-forms";
import { actionsMessages } from "~/admin/messages/actions";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";
import { actionFieldErrorText } from "~/components/program/action-field-error";
import { actionsMeta } from "~/components/program/actions-meta";
import { ProgramErrorState } from "~/components/program/ProgramErrorState";
import { ProgramFormPage, SaveAnswerSection, SaveButtonSection, useStoredValues } from "~/components/program/ProgramFormPage";
import db from "~/db.server";
import { EARNING_ACTION_KINDS, MAX_ACTION_POINTS, MAX_ACTION_TITLE_LENGTH } from "~/loyalty/earning-actions";
import { findEarningAction, saveEarningAction } from "~/loyalty/earning-actions.server";
import type { FieldErrors } from "~/loyalty/field-errors";
import { actionIdOf } from "~/shopify/earning-action-claim.server";
import { adminActor } from "~/shopify/admin-actor.server";
import { publishProgramChange } from "~/shopify/program-publish.server";
import { authenticate } from "~/shopify.server";

/** "new", or an action id of this shop; anything else is not found. */
function idOf(param: string | undefined): number | "new" | null {
  return param === "new" ? "new" : actionIdOf(param);
}

export const meta = actionsMeta("title");

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = idOf(params.id);
  const action = typeof id === "number" ? await findEarningAction(db, session.shop, id) : null;
  if (id === null || (id !== "new" && !action)) throw new Response("Not found", { status: 404 });
  return {
    action: action && { id: action.id, kind: action.kind, title: action.title, url: action.url, points: action.points, requiresApproval: action.requiresApproval, enabled: action.enabled },
  };
};

export type EarningActionFormData = { ok: false; fieldErrors: FieldErrors };

/** Saves the form: field errors (422) and nothing saved, or a program version and back to the list. */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  const id = idOf(params.id);
  if (id === null) throw new Response("Not found", { status: 404 });
  const input = earningActionInputFromForm(await request.formData());
  const result = await saveEarningAction(db, session.shop, id === "new" ? null : id, input, { actor: adminActor(sessionToken) });
  if (!result.ok && "notFound" in result) throw new Response("Not found", { status: 404 });
  if (!result.ok) return json<EarningActionFormData>({ ok: false, fieldErrors: result.fieldErrors }, { status: 422 });
  await publishProgramChange(session.shop, { tiersChanged: false });
  return redirect("/app/program/actions");
};

type Values = { kind: string; title: string; url: string; points: string; requiresApproval: boolean; enabled: boolean };

function valuesOf(action: { kind: string; title: string; url: string | null; points: number; requiresApproval: boolean; enabled: boolean } | null): Values {
  return {
    kind: action?.kind ?? "social_follow",
    title: action?.title ?? "",
    url: action?.url ?? "",
    points: String(action?.points ?? 100),
    requiresApproval: action?.requiresApproval ?? false,
    enabled: action?.enabled ?? true,
  };
}

export default function EarningActionPage() {
  const { action } = useLoaderData<typeof loader>();
  const actionData = useActionData<EarningActionFormData>();
  const submit = useSubmit();
  const t = useTranslate(actionsMessages);
  const tp = useTranslate(programMessages);
  const draft = useStoredValues(action, () => valuesOf(action));
  const { values, set } = draft;
  const errors = actionData?.fieldErrors;
  const error = (field: string) => actionFieldErrorText(t, tp, errors, field);
  const save = () => {
    const form = new FormData();
    form.set("kind", values.kind);
    form.set("title", values.title);
    form.set("url", values.url);
    form.set("points", values.points);
    if (values.requiresApproval) form.set("requiresApproval", "on");
    if (values.enabled) form.set("enabled", "on");
    submit(form, { method: "post" });
  };
  const title = action ? t("editTitle") : t("newTitle");

  return (
    <ProgramFormPage title={title} backAction={{ content: t("title"), url: "/app/program/actions" }} saveBarId="earning-action-save-bar" isNew={action === null} draft={draft} answer={actionData} onSave={save}>
      <Layout>
        <SaveAnswerSection />
        <Layout.Section>
          <Card>
            <FormLayout>
              <Select
                label={t("kind")}
                name="kind"
                options={EARNING_ACTION_KINDS.map((value) => ({ value, label: t(`kind_${value}`) }))}
                value={values.kind}
                onChange={set("kind")}
                error={error("kind")}
                helpText={values.kind === "newsletter" ? t("newsletterHelp") : undefined}
              />
              <TextField label={t("titleLabel")} name="title" value={values.title} onChange={set("title")} autoComplete="off" maxLength={MAX_ACTION_TITLE_LENGTH} helpText={t("titleHelp")} error={error("title")} />
              <TextField label={t("url")} name="url" type="url" value={values.url} onChange={set("url")} autoComplete="off" placeholder="https://" helpText={t("urlHelp")} error={error("url")} />
              <TextField label={t("pointsLabel")} name="points" type="number" min={1} max={MAX_ACTION_POINTS} value={values.points} onChange={set("points")} autoComplete="off" error={error("points")} />
              <Checkbox label={t("requiresApproval")} checked={values.requiresApproval} onChange={set("requiresApproval")} error={error("requiresApproval")} />
              <Checkbox label={t("enabled")} checked={values.enabled} onChange={set("enabled")} error={error("enabled")} />
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
