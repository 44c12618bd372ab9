// A field's error as the merchant reads it, from the key the server sent (app/loyalty/field-errors.ts).
import type { Translate } from "~/admin/i18n";
import type { ProgramMessageKey } from "~/admin/messages/program";
import type { FieldErrors } from "~/loyalty/field-errors";

export function fieldErrorText(t: Translate<ProgramMessageKey>, errors: FieldErrors | undefined, field: string): string | undefined {
  const error = errors?.[field];
  return error ? t(error.key, error.values) : undefined;
}
