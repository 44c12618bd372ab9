// Field errors for the merchant's forms, as message keys with values (the admin translates them,
// app/admin/messages/program.ts), from zod's issues or from rules only the database can check.
import type { z } from "zod";

export interface FieldError {
  /** A key of the program catalog's "error…" messages. */
  key: FieldErrorKey;
  values?: Record<string, string | number>;
}

export type FieldErrorKey =
  | "errorRequired"
  | "errorWholeNumber"
  | "errorMin"
  | "errorMax"
  | "errorTooLong"
  | "errorChoice"
  | "errorColour"
  | "errorAmount"
  | "errorDecimals"
  | "errorVariant"
  | "errorStepMultiple"
  | "errorMinAboveMax"
  | "errorRangeSteps"
  | "errorTierUnknown"
  | "errorThresholdTaken"
  | "errorInvalid";

export type FieldErrors = Record<string, FieldError>;

/** A refinement names its message key in `params.key` (see rewards.ts). */
export function fieldErrorsFrom(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "form";
    errors[field] ??= fieldErrorOf(issue);
  }
  return errors;
}

function fieldErrorOf(issue: z.core.$ZodIssue): FieldError {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "string") return { key: "errorRequired" };
      return { key: "errorMin", values: { min: Number(issue.minimum) } };
    case "too_big":
      if (issue.origin === "string") return { key: "errorTooLong", values: { max: Number(issue.maximum) } };
      return { key: "errorMax", values: { max: Number(issue.maximum) } };
    case "invalid_type":
      return { key: issue.expected === "number" || issue.expected === "int" ? "errorWholeNumber" : "errorRequired" };
    case "invalid_value":
    case "invalid_union":
      return { key: "errorChoice" };
    case "invalid_format":
      return { key: issue.format === "regex" && /variant/i.test(String(issue.path.at(-1))) ? "errorVariant" : "errorColour" };
    case "custom": {
      const key = (issue.params as { key?: FieldErrorKey } | undefined)?.key;
      return key ? { key, values: (issue.params as { values?: FieldError["values"] }).values } : { key: "errorInvalid" };
    }
    default:
      return { key: "errorInvalid" };
  }
}
