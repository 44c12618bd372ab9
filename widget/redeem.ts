// Redeeming a reward for a discount code. POST /apps/tally/redeem (DESIGN §5) does not exist
// yet, so Liquid renders no button and ships no strings for it; this path only runs on a root
// rendered with data-tally-redeem="on", which the extension will do once the endpoint ships.
import type { RedeemStrings, WidgetConfig } from "./config";
import { all, element } from "./dom";
import { fill } from "./i18n";

export function enableRedeem(root: HTMLElement, config: WidgetConfig, onRedeemed: () => void): void {
  const strings = config.strings;
  if (root.getAttribute("data-tally-redeem") !== "on" || !strings.redeem) return;
  const s = strings as RedeemStrings;

  const addButtons = () => {
    for (const reward of all(root, ".tally-reward--ready[data-tally-reward]:not([data-tally-redeemed])")) {
      if (reward.querySelector("[data-tally-redeem-button]")) continue;
      const button = element("button", "tally-button", s.redeem);
      button.type = "button";
      button.setAttribute("data-tally-redeem-button", "");
      reward.append(button);
    }
  };
  addButtons();
  new MutationObserver(addButtons).observe(root, { subtree: true, attributes: true, attributeFilter: ["class"], childList: true });

  root.addEventListener("click", async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("[data-tally-redeem-button]");
    const reward = button?.closest("[data-tally-reward]");
    const state = reward?.querySelector("[data-tally-reward-state]");
    if (!button || !reward || !state) return;
    button.disabled = true;
    try {
      const response = await fetch(`${config.proxy}/redeem`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ rewardId: Number(reward.getAttribute("data-tally-reward")) }),
      });
      const body = (await response.json()) as { code?: unknown };
      if (!response.ok || typeof body.code !== "string") throw new Error("redeem refused");
      reward.setAttribute("data-tally-redeemed", "");
      button.remove();
      onRedeemed();
      state.textContent = fill(s.redeemed, { code: body.code });
    } catch {
      state.textContent = s.redeemFailed;
      button.disabled = false;
    }
  });
}
