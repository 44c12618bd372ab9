// The JSON Liquid writes into each widget root (snippets/tally-config.liquid).
import type { CustomerSummary } from "./contract";
import type { Plural } from "./i18n";

export interface MemberStrings {
  pointsLabel: Plural;
  pending: Plural;
  tierCurrent: string;
  tierNone: string;
  toNext: Plural;
  /** "Spend {amount} more to reach {tier}": tiers counted on amount spent. */
  toNextAmount: string;
  tierTop: string;
  progress: string;
  copy: string;
  copied: string;
  copyFailed: string;
  error: string;
  rewardCost: Plural;
  rewardReady: string;
  rewardMissing: Plural;
}

/** A discount code's box (code.ts): a redeemed reward's or a friend offer's; always shipped. */
export interface CodeStrings {
  codeLabel: string;
  copyCode: string;
  codeCopied: string;
  apply: string;
  /** "Use by {date}" */
  expires: string;
  /** "{month} {day}": the member's birthday, once given (forms.ts). */
  birthday: string;
}

/** Shipped only when Liquid had no program to render, so the script must build those sections. */
export interface ProgramStrings {
  earnHeading: string;
  rewardsHeading: string;
  rewardsEmpty: string;
  tiersHeading: string;
  tiersThreshold: Plural;
  tiersBonus: string;
  howHeading: string;
  howRate: Plural;
  howExcluded: string;
  howRefunds: string;
  howPendingNone: string;
  howPendingDays: Plural;
  howExpiryNone: string;
  howExpiryDays: Plural;
  howTiers: string;
  /** "{points} points = {amount}": a "variable" reward's points per unit and what a unit is worth. */
  rewardCostVariable: Plural;
  rewardMinimum: string;
  /** Each way to earn, by kind: order's "{points} points for every {amount} spent", referral's "… they get {amount} off their first order". */
  earnWays: Record<"order" | "signup" | "birthday" | "referral", Plural>;
  /** A newsletter action's note: its points come with the subscription. */
  actionNewsletter: string;
}

/** Shipped on a root with data-tally-redeem="on": a signed-in customer, redemption on (redeem.ts). */
export interface RedeemStrings {
  redeem: string;
  /** "Redeem {title} for {points} points?" */
  confirmText: Plural;
  /** "Balance after: {points} points" */
  balanceAfter: Plural;
  variableLabel: string;
  /** "Worth {amount}" */
  variableValue: string;
  confirm: string;
  cancel: string;
  redeeming: string;
  redeemed: string;
  /** "{amount} credited to your account" */
  credited: string;
  /** A reward still on its way (Shopify's answer not known yet); named apart from the member's pending points. */
  redeemPending: string;
  walletEmpty: string;
  /** 429: "… wait {seconds} seconds …" */
  tooMany: Plural;
  /** By the error's code (not_enough_points, reward_unavailable, …), and "generic" for anything else. */
  errors: Record<string, string>;
}

export interface WidgetConfig {
  /** The app proxy on this storefront, locale prefix included: "/apps/tally" or "/fr/apps/tally". */
  proxy: string;
  /** routes.root_url without its trailing slash: "" or "/fr". */
  root: string;
  /** routes.cart_update_url + ".js" */
  cart: string;
  locale: string;
  currency: string | null;
  loggedIn: boolean;
  /** The signed-in customer's id (Liquid's customer.id), as text; null for a visitor. */
  customer: string | null;
  summaryRendered: boolean;
  /** The metafield's summary as Liquid read it (null when absent): enough when current (freshness.ts). */
  summary: CustomerSummary | null;
  programRendered: boolean;
  strings: MemberStrings & CodeStrings & Partial<ProgramStrings> & Partial<RedeemStrings>;
}

export function readConfig(root: Element): WidgetConfig | null {
  const script = root.querySelector("script[data-tally-config]");
  try {
    return script ? (JSON.parse(script.textContent || "") as WidgetConfig) : null;
  } catch {
    return null;
  }
}
