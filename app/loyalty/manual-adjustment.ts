// A merchant's manual adjustment of a member's points, as the admin form sends it: parsed once
// into whole points (never zero, bounded), a reason, and the form's own key, which makes a
// double-submitted form adjust once.
import { z } from "zod";

/** Larger adjustments are refused: a slip of the keyboard, not a loyalty gesture. */
export const MAX_ADJUSTMENT_POINTS = 1_000_000;
export const MAX_REASON_LENGTH = 500;

export type AdjustmentField = "points" | "reason" | "key";
/** Why a field was refused; the admin shows each in the merchant's language. */
export type AdjustmentProblem = "points_required" | "points_integer" | "points_zero" | "points_too_large" | "reason_required" | "reason_too_long" | "key_invalid" | "below_zero";

export interface ManualAdjustment {
  points: number;
  reason: string;
  /** The form's key (a UUID written into the form when it was shown). */
  key: string;
}

const schema = z.object({
  points: z
    .string({ error: "points_required" })
    .trim()
    .min(1, { error: "points_required" })
    .regex(/^[+-]?\d+$/, { error: "points_integer" })
    .transform(Number)
    .refine((points) => points !== 0, { error: "points_zero" })
    .refine((points) => Math.abs(points) <= MAX_ADJUSTMENT_POINTS, { error: "points_too_large" }),
  reason: z
    .string({ error: "reason_required" })
    .trim()
    .min(1, { error: "reason_required" })
    .max(MAX_REASON_LENGTH, { error: "reason_too_long" }),
  key: z.uuid({ error: "key_invalid" }),
});

export type ParsedAdjustment = { ok: true; adjustment: ManualAdjustment } | { ok: false; errors: Partial<Record<AdjustmentField, AdjustmentProblem>> };

export function parseManualAdjustment(form: { points?: unknown; reason?: unknown; key?: unknown }): ParsedAdjustment {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const parsed = schema.safeParse({ points: text(form.points), reason: text(form.reason), key: text(form.key) });
  if (parsed.success) return { ok: true, adjustment: parsed.data };
  const errors: Partial<Record<AdjustmentField, AdjustmentProblem>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as AdjustmentField;
    errors[field] ??= issue.message as AdjustmentProblem;
  }
  return { ok: false, errors };
}
