// The JSON Liquid writes into each widget root (snippets/tally-config.liquid).
import type { Plural } from "./i18n";

export interface MemberStrings {
  pointsLabel: Plural;
  pending: Plural;
  tierCurrent: string;
  tierNone: string;
  toNext: Plural;
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

/** Shipped only when Liquid had no program to render, so the script must build those sections. */
export interface ProgramStrings {
  earnHeading: string;
  earnOrder: Plural;
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
}

/** For the redeem button, once POST /apps/tally/redeem exists (see redeem.ts). */
export interface RedeemStrings {
  redeem: string;
  redeemed: string;
  redeemFailed: string;
}

export interface WidgetConfig {
  /** The app proxy on this storefront, locale prefix included: "/apps/tally" or "/fr/apps/tally". */
  proxy: string;
  /** routes.cart_update_url + ".js" */
  cart: string;
  locale: string;
  currency: string | null;
  loggedIn: boolean;
  summaryRendered: boolean;
  programRendered: boolean;
  strings: MemberStrings & Partial<ProgramStrings> & Partial<RedeemStrings>;
}

export function readConfig(root: Element): WidgetConfig | null {
  const script = root.querySelector("script[data-tally-config]");
  try {
    return script ? (JSON.parse(script.textContent || "") as WidgetConfig) : null;
  } catch {
    return null;
  }
}
