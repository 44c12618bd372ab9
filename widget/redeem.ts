// Redeeming points for a reward (POST {proxy}/redeem, contract version 1, issue 8) and the member's
// unused codes and store credits ("Your rewards"). Runs only on a root Liquid rendered with
// data-tally-redeem="on" (a signed-in customer, redemption on in the block's settings), which
// also ships the strings below.
//
// Liquid renders a Redeem button on every reward of a member, hidden unless affordable
// (member.ts keeps that current); its row keeps the button's height either way. A click opens a
// confirmation inside the reward (only the shopper's action expands anything); the answer
// replaces it with the code, or says what went wrong. Every value goes in as text.
import type { RedeemStrings, WidgetConfig } from "./config";
import type { RedeemErrorResponse, RedeemMember, RedeemResponse, Redemption } from "./contract";
import type { Loader } from "./data";
import { codeBox, newId } from "./code";
import { element } from "./dom";
import { post } from "./post";
import { countText, fill, formatMoney } from "./i18n";
import { whole } from "./member";

/** Takes each fresh member: the balance the confirmation counts with, and "Your rewards". */
export type RedeemView = (member: Pick<RedeemMember, "balance" | "redemptions">) => void;

export function enableRedeem(root: HTMLElement, config: WidgetConfig, loader: Pick<Loader, "publish" | "refresh">): RedeemView | null {
  const s = config.strings as RedeemStrings & WidgetConfig["strings"];
  if (root.getAttribute("data-tally-redeem") !== "on" || !s.redeem) return null;
  const { locale } = config;
  const money = (amount: string | number | null, currency?: string | null) => formatMoney(Number(amount), currency || config.currency, locale);
  // Until the proxy answers, the balance Liquid painted from the metafield.
  let balance = whole(root.querySelector('[data-tally-member] [data-tally-field="balance"]')?.textContent);

  root.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("[data-tally-redeem-button]");
    const reward = button?.closest<HTMLElement>("[data-tally-reward]");
    if (button && reward) confirmIn(reward, button);
  });

  /** The confirmation: what it costs, the balance after, Confirm / Cancel; a points field for "variable". */
  function confirmIn(reward: HTMLElement, redeemButton: HTMLButtonElement) {
    reward.querySelector("[data-tally-redeem-panel]")?.remove();
    const title = reward.querySelector(".tally-reward__title")?.textContent || "";
    const cost = whole(reward.getAttribute("data-tally-cost"));
    // "min max step pointsPerUnit", and data-tally-amount the value of a unit.
    const variable = reward.getAttribute("data-tally-variable");
    const [min, max, step, unit] = (variable || "").split(" ").map((value) => whole(value) || 1);
    const top = variable ? Math.min(max, min + Math.floor((balance - min) / step) * step) : cost;
    let points = variable ? min : cost;

    const text = element("p");
    const after = element("p");
    const worth = element("p");
    const status = element("p", "tally-status");
    const confirm = element("button", "tally-button", s.confirm);
    const cancel = element("button", "tally-button tally-button--quiet", s.cancel);
    const panel = element("div", "tally-redeem", text);
    text.id = newId();
    after.id = newId();
    worth.id = newId();
    status.setAttribute("role", "status");
    confirm.type = cancel.type = "button";
    confirm.setAttribute("aria-describedby", `${text.id} ${after.id}`);
    panel.setAttribute("data-tally-redeem-panel", "");

    const input = element("input", "tally-input");
    const update = () => {
      if (variable) {
        const wanted = Number(input.value);
        points = Math.max(min, Math.min(top, wanted >= min ? min + Math.floor((wanted - min) / step) * step : min));
        worth.textContent = fill(s.variableValue, { amount: money((points / unit) * Number(reward.getAttribute("data-tally-amount"))) });
      }
      text.textContent = countText(s.confirmText, points, locale, { title, points });
      after.textContent = countText(s.balanceAfter, balance - points, locale, { points: balance - points });
    };
    if (variable) {
      const label = element("label", "tally-label", s.variableLabel);
      input.type = "number";
      input.inputMode = "numeric";
      input.id = label.htmlFor = newId();
      input.min = input.value = String(min);
      input.max = String(top);
      input.step = String(step);
      input.setAttribute("aria-describedby", `${worth.id} ${after.id}`);
      worth.setAttribute("aria-live", "polite");
      input.addEventListener("input", update);
      input.addEventListener("change", () => (input.value = String(points)));
      panel.append(label, input, worth);
    }
    panel.append(after, element("p", "tally-actions", confirm, cancel), status);
    update();
    reward.append(panel);
    (variable ? input : confirm).focus();

    cancel.addEventListener("click", () => {
      panel.remove();
      redeemButton.focus();
    });
    let busy = false;
    confirm.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      // aria-disabled, not disabled: a disabled button would drop the focus out of the dialog.
      confirm.setAttribute("aria-disabled", "true");
      status.textContent = s.redeeming;
      const rewardId = whole(reward.getAttribute("data-tally-reward"));
      const answer = await redeem(variable ? { rewardId, points } : { rewardId });
      busy = false;
      confirm.removeAttribute("aria-disabled");
      if (typeof answer === "string") {
        status.textContent = answer;
        return;
      }
      // The result takes the confirmation's place, under the status line that announces it.
      const shown = redemption(answer.redemption, s.codeLabel);
      panel.replaceChildren(status, shown);
      status.textContent = s.redeemed;
      loader.publish(answer.member);
      (shown.querySelector("input") || shown).focus();
    });
  }

  /** The answer, or the message to show for it. */
  async function redeem(body: { rewardId: number; points?: number }): Promise<RedeemResponse | string> {
    try {
      const [response, answer] = await post<Partial<RedeemResponse> & Partial<RedeemErrorResponse>>(`${config.proxy}/redeem`, body);
      if (response.ok && answer && answer.version === 1 && answer.redemption && answer.member) return answer as RedeemResponse;
      // Only the app's JSON names a reason; a proxy's error page says nothing about the points.
      const code = answer?.error?.code || "";
      if (code === "not_enough_points") void loader.refresh();
      if (code === "too_many_redeems") {
        const seconds = whole(response.headers.get("Retry-After")) || 60;
        return countText(s.tooMany, seconds, locale, { seconds });
      }
      const message = s.errors[code];
      return typeof message === "string" ? message : s.errors.generic;
    } catch {
      return s.errors.generic;
    }
  }

  /** A code with Copy and "Apply to cart", a store credit, or the note that it is on its way. */
  function redemption(given: Redemption, label: string): HTMLElement {
    if (given.status === "pending") return focusable(element("p", "", s.redeemPending));
    if (!given.code) return focusable(element("p", "", fill(s.credited, { amount: given.amount ? money(given.amount, given.currency) : given.title })));
    return codeBox(given.code, label, given.expiresAt, config);
  }

  const wallet = root.querySelector<HTMLElement>("[data-tally-wallet]");
  const count = root.querySelector<HTMLElement>('[data-tally-field="wallet-count"]');
  return (member) => {
    balance = whole(member.balance);
    const list = member.redemptions;
    if (!wallet || !Array.isArray(list)) return;
    wallet.removeAttribute("aria-busy");
    wallet.replaceChildren(
      ...list.map((given) =>
        given.code && given.status !== "pending"
          ? element("li", "tally-reward", redemption(given, given.title))
          : element("li", "tally-reward", element("span", "tally-reward__title", given.title), redemption(given, "")),
      ),
    );
    if (!list.length) wallet.append(element("li", "", s.walletEmpty));
    if (count) {
      count.textContent = list.length ? String(list.length) : "";
      count.hidden = !list.length;
    }
  };
}

function focusable(node: HTMLElement): HTMLElement {
  node.tabIndex = -1;
  return node;
}
