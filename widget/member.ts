// Writes a member's points into the elements Liquid rendered (data-tally-field="…"), whether
// Liquid filled them from the metafield or left a skeleton.
import type { WidgetConfig } from "./config";
import type { PointsView } from "./contract";
import { all, fields, setText } from "./dom";
import { countText, fill, formatMoney, plural } from "./i18n";

export function applyMember(root: HTMLElement, view: PointsView, config: WidgetConfig): void {
  const strings = config.strings;
  const locale = config.locale;
  const balance = whole(view.balance);
  const pending = whole(view.pendingBalance);

  setText(root, "balance", String(balance));
  setText(root, "balance-label", plural(strings.pointsLabel, balance, locale));
  for (const element of fields(root, "pending")) {
    element.textContent = pending > 0 ? countText(strings.pending, pending, locale, { points: pending }) : "";
    element.hidden = pending <= 0;
  }
  for (const element of fields(root, "negative")) element.hidden = balance >= 0;
  for (const element of all(root, "[data-tally-balance]")) element.classList.toggle("tally-balance--negative", balance < 0);

  applyTier(root, view, config);
  applyReferral(root, view.referralUrl);
  updateRewardStates(root, balance, config);

  for (const element of all(root, "[data-tally-member] .tally-skeleton")) element.classList.remove("tally-skeleton");
  for (const element of all(root, "[data-tally-member]")) element.removeAttribute("aria-busy");
}

function applyTier(root: HTMLElement, view: PointsView, config: WidgetConfig): void {
  const { strings, locale } = config;
  for (const element of all(root, "[data-tally-tier]")) element.hidden = !view.tier && !view.nextTier;
  setText(root, "tier-name", view.tier ? fill(strings.tierCurrent, { tier: view.tier.name }) : strings.tierNone);
  for (const perk of all(root, "[data-tally-perk]")) perk.hidden = perk.getAttribute("data-tally-perk") !== view.tier?.name;

  const progress = view.progress && view.nextTier ? view.progress : null;
  const remaining = progress ? whole(progress.remaining) : 0;
  const nextText = progress
    ? progress.basis === "amount"
      ? fill(strings.toNextAmount, { amount: formatMoney(Number(progress.remainingAmount), config.currency, locale), tier: view.nextTier!.name })
      : countText(strings.toNext, remaining, locale, { points: remaining, tier: view.nextTier!.name })
    : view.tier
      ? strings.tierTop
      : "";
  setText(root, "tier-next", nextText);

  const percent = progress ? Math.max(0, Math.min(100, whole(progress.percent))) : 0;
  for (const bar of fields(root, "progress")) {
    bar.hidden = !progress;
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", nextText);
    bar.setAttribute("aria-label", fill(strings.progress, { tier: view.nextTier ? view.nextTier.name : "" }));
    bar.style.setProperty("--tally-progress", `${percent}%`);
  }
}

function applyReferral(root: HTMLElement, referralUrl: string | null | undefined): void {
  // Only an https link is put into an href or offered for copying.
  const url = typeof referralUrl === "string" && /^https:\/\//.test(referralUrl) ? referralUrl : "";
  for (const section of all(root, "[data-tally-referral]")) section.hidden = !url;
  for (const input of fields<HTMLInputElement>(root, "referral-url")) input.value = url;
  for (const link of all<HTMLAnchorElement>(root, "a[data-tally-share]")) {
    link.href = (link.getAttribute("data-tally-share") || "").replace("{url}", encodeURIComponent(url));
  }
}

/** How close the member is to each reward Liquid or the script listed, and which can be redeemed now. */
export function updateRewardStates(root: HTMLElement, balance: number, config: WidgetConfig): void {
  for (const reward of all(root, "[data-tally-reward]")) {
    const state = reward.querySelector("[data-tally-reward-state]");
    if (!state) continue;
    // For a "variable" reward, the fewest points it takes.
    const cost = whole(Number(reward.getAttribute("data-tally-cost")));
    const ready = balance >= cost;
    const button = reward.querySelector<HTMLElement>("[data-tally-redeem-button]");
    reward.classList.toggle("tally-reward--ready", ready);
    if (button) button.hidden = !ready;
    state.textContent = ready
      ? config.strings.rewardReady
      : countText(config.strings.rewardMissing, cost - balance, config.locale, { points: cost - balance });
  }
}

/** Points are integers; anything else the JSON might carry shows as 0 rather than as text. */
export function whole(value: unknown): number {
  const number = Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}
