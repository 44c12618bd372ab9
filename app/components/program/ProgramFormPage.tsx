// The frame of a program form page (Program settings, a reward, a custom action): the page with
// its Save action, App Bridge's title bar and save bar, the answer of the last save as a banner,
// and the Save button under the form; and the form's values kept against what is stored. Each
// page keeps its own fields, its loader and action, and how its values are sent; it places the
// banner and the Save button in its own Layout, so its sections stay where its Layout has them.
import { useNavigation } from "@remix-run/react";
import { SaveBar, TitleBar } from "@shopify/app-bridge-react";
import { Banner, Button, InlineStack, Layout, Page, type PageProps } from "@shopify/polaris";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";
import type { FieldErrors } from "~/loyalty/field-errors";

/**
 * The form's values, starting from what is stored. `stored` is compared by content: a failed save
 * reloads the same record and the merchant's edits stay; a successful save changes it, and the
 * form starts again from what is stored.
 */
export function useStoredValues<Values extends Record<string, string | boolean>>(stored: unknown, valuesOf: () => Values) {
  const storedKey = JSON.stringify(stored);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const saved = useMemo(() => valuesOf(), [storedKey]);
  const [values, setValues] = useState<Values>(saved);
  useEffect(() => setValues(saved), [saved]);
  const changed = (Object.keys(saved) as (keyof Values)[]).some((name) => saved[name] !== values[name]);
  const set =
    <Name extends keyof Values>(name: Name) =>
    (value: Values[Name]) =>
      setValues((current) => ({ ...current, [name]: value }));
  return { values, set, changed, discard: () => setValues(saved) };
}

/** What a page's action answered: saved, refused as stale (409), or field errors beside the fields (422). */
export type SaveAnswer = { ok: true } | { ok: false; fieldErrors: FieldErrors } | { ok: false; stale: true };

const ANSWER_BANNERS = {
  saved: { tone: "success", title: "saved" },
  stale: { tone: "warning", title: "stale" },
  fieldErrors: { tone: "critical", title: "fixErrors" },
} as const;

function answerBanner(answer: SaveAnswer | undefined) {
  if (!answer) return undefined;
  if (answer.ok) return ANSWER_BANNERS.saved;
  return "stale" in answer ? ANSWER_BANNERS.stale : ANSWER_BANNERS.fieldErrors;
}

interface Props {
  title: string;
  backAction?: PageProps["backAction"];
  secondaryActions?: PageProps["secondaryActions"];
  /** App Bridge's element id of this page's save bar. */
  saveBarId: string;
  /** A record not stored yet can be saved as it is; the save bar is for edits of a stored one. */
  isNew?: boolean;
  /** The merchant's edits (useStoredValues): whether they changed anything, and how to discard them. */
  draft: { changed: boolean; discard: () => void };
  /** The answer of the last save (useActionData), shown as a banner above the form. */
  answer?: SaveAnswer;
  onSave: () => void;
  /** The page's Layout: SaveAnswerSection, the form's own sections, SaveButtonSection. */
  children: ReactNode;
}

/** What the page's sections need of the frame: the last answer, and the Save button's state. */
const FormPageContext = createContext<{ answer?: SaveAnswer; saving: boolean; savable: boolean; onSave: () => void } | null>(null);

function useFormPage() {
  const context = useContext(FormPageContext);
  if (!context) throw new Error("A program form section belongs inside ProgramFormPage");
  return context;
}

/** The page, its title bar and save bar. Its children: the page's Layout, from SaveAnswerSection to SaveButtonSection. */
export function ProgramFormPage({ title, backAction, secondaryActions, saveBarId, isNew = false, draft, answer, onSave, children }: Props) {
  const t = useTranslate(programMessages);
  const saving = useNavigation().state === "submitting";
  const savable = isNew || draft.changed;

  return (
    <Page title={title} backAction={backAction} primaryAction={{ content: t("save"), onAction: onSave, loading: saving, disabled: !savable }} secondaryActions={secondaryActions}>
      <TitleBar title={title} />
      <SaveBar id={saveBarId} open={draft.changed && !isNew}>
        <button variant="primary" onClick={onSave} disabled={saving}>
          {t("save")}
        </button>
        <button onClick={draft.discard}>{t("discard")}</button>
      </SaveBar>
      <FormPageContext.Provider value={{ answer, saving, savable, onSave }}>{children}</FormPageContext.Provider>
    </Page>
  );
}

/** The answer of the last save as a banner: the Layout's first section, shown only after a save. */
export function SaveAnswerSection() {
  const t = useTranslate(programMessages);
  const banner = answerBanner(useFormPage().answer);
  return banner ? (
    <Layout.Section>
      <Banner tone={banner.tone} title={t(banner.title)} />
    </Layout.Section>
  ) : null;
}

/** The page's own Save button under the form (as well as the page action and the save bar's): the Layout's last section. */
export function SaveButtonSection() {
  const t = useTranslate(programMessages);
  const { saving, savable, onSave } = useFormPage();
  return (
    <Layout.Section>
      <InlineStack align="end">
        <Button variant="primary" onClick={onSave} loading={saving} disabled={!savable}>
          {t("save")}
        </Button>
      </InlineStack>
    </Layout.Section>
  );
}
