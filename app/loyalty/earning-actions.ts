// Custom one-off ways to earn (README "Custom actions"): follow the shop on social media, sign up
// for its newsletter, or anything else the merchant describes. Each pays its points once per
// member; a claim may wait for staff approval. Pure: the rules of a valid action, shared by the
// admin's form and the domain.
import { z } from "zod";

export const EARNING_ACTION_KINDS = ["social_follow", "newsletter", "custom"] as const;
export type EarningActionKind = (typeof EARNING_ACTION_KINDS)[number];

export const ACTION_CLAIM_STATUSES = ["pending_approval", "approved", "rejected"] as const;
export type ActionClaimStatus = (typeof ACTION_CLAIM_STATUSES)[number];

export const MAX_ACTION_TITLE_LENGTH = 80;
export const MAX_ACTION_POINTS = 1_000_000;
const MAX_URL_LENGTH = 2048;

/** An https:// address with a host; anything else (http, javascript:, relative) is refused. */
export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** An action as the merchant sets it up (the admin's form, validated on the server). */
export const earningActionSchema = z
  .object({
    kind: z.enum(EARNING_ACTION_KINDS),
    title: z.string().trim().min(1).max(MAX_ACTION_TITLE_LENGTH),
    url: z
      .string()
      .trim()
      .max(MAX_URL_LENGTH)
      .refine(isHttpsUrl, { params: { key: "errorHttpsUrl" } })
      .nullable(),
    points: z.number().int().min(1).max(MAX_ACTION_POINTS),
    requiresApproval: z.boolean(),
    enabled: z.boolean(),
  })
  .superRefine((action, context) => {
    // A follow needs somewhere to follow; the widget links to it.
    if (action.kind === "social_follow" && action.url === null) {
      context.addIssue({ code: "custom", path: ["url"], params: { key: "errorUrlRequired" } });
    }
  });

export type EarningActionInput = z.infer<typeof earningActionSchema>;

/** The ledger row that pays a member for an action: one key per (action, member), so never twice. */
export function actionLedgerKey(actionId: number, memberId: number): string {
  return `action:${actionId}:${memberId}`;
}

/** An action as the storefront lists it (GET /apps/tally/program `actions`). */
export interface PublicEarningAction {
  id: number;
  kind: EarningActionKind;
  title: string;
  points: number;
  /** Only when the merchant gave one. */
  url?: string;
}

export interface ActionClaimView {
  actionId: number;
  status: ActionClaimStatus;
}

export function publicEarningAction(row: { id: number; kind: string; title: string; points: number; url: string | null }): PublicEarningAction {
  return { id: row.id, kind: row.kind as EarningActionKind, title: row.title, points: row.points, ...(row.url ? { url: row.url } : {}) };
}

/**
 * Email marketing consent from a REST Customer payload: `email_marketing_consent.state` when the
 * payload has it (Shopify's current field), else the deprecated `accepts_marketing`.
 */
export function subscribedToEmail(consentState: string | null | undefined, acceptsMarketing: boolean | null | undefined): boolean {
  if (consentState !== null && consentState !== undefined) return consentState === "subscribed";
  return acceptsMarketing === true;
}
