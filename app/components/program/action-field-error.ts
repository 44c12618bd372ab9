// A custom action form field's error as the merchant reads it: the actions' own keys (a link that
// is not https) from their catalog, the shared ones (required, too long, out of range) from the program's.
import type { Translate } from "~/admin/i18n";
import { actionsMessages, type ActionsMessageKey } from "~/admin/messages/actions";
import type { ProgramMessageKey } from "~/admin/messages/program";
import type { FieldErrors } from "~/loyalty/field-errors";

export function actionFieldErrorText(t: Translate<ActionsMessageKey>, tp: Translate<ProgramMessageKey>, errors: FieldErrors | undefined, field: string): string | undefined {
  const error = errors?.[field];
  if (!error) return undefined;
  const key: string = error.key;
  return key in actionsMessages.en ? t(key as ActionsMessageKey, error.values) : tp(error.key, error.values);
}
