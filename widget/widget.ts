// One widget root (the embed's launcher + dialog, or the inline block): wires its controls to
// the shared loader and writes fresh data into it. On a failed refresh the Liquid values stay
// and a quiet retry button appears.
import type { WidgetConfig } from "./config";
import { copyText } from "./copy";
import type { Loader, LoadState } from "./data";
import { setupDialog, type Dialog } from "./dialog";
import { all, whenIdle } from "./dom";
import { applyAppearance } from "./appearance";
import { applyMember } from "./member";
import { renderProgram } from "./program";
import { enableRedeem } from "./redeem";
import { showBirthday, showClaims, wireForms } from "./forms";

const COPIED_FOR_MS = 2500;

export function mountWidget(root: HTMLElement, config: WidgetConfig, loader: Loader, summaryCurrent = false, storage: Storage | null = null): Dialog | null {
  const statusText = root.querySelector<HTMLElement>("[data-tally-status-text]");
  const retry = root.querySelector<HTMLButtonElement>("[data-tally-retry]");
  const panel = root.querySelector<HTMLElement>("[data-tally-panel]");

  const setStatus = (text: string) => {
    if (statusText) statusText.textContent = text;
  };
  const showRetry = (shown: boolean) => {
    if (!retry || retry.hidden === !shown) return;
    // Hiding the focused button would drop focus to <body>, outside the dialog.
    if (!shown && document.activeElement === retry) (panel || root).focus();
    retry.hidden = !shown;
  };

  const redeem = enableRedeem(root, config, loader);
  const showOffer = wireForms(root, config, loader, storage);
  if (!config.loggedIn) showOffer();

  loader.subscribe((state: LoadState) => {
    if (state.status === "error") {
      setStatus(config.strings.error);
      showRetry(true);
      // A referral section Liquid kept open for a link that has not come: no empty box meanwhile.
      for (const section of all(root, "[data-tally-referral]")) {
        if (!section.querySelector<HTMLInputElement>('[data-tally-field="referral-url"]')?.value) section.hidden = true;
      }
    } else {
      // The merchant turned the program off: no widget at all (Liquid hides it too once the
      // shop's program metafield says so).
      if (state.status === "ready" && state.program.enabled === false) {
        root.hidden = true;
        return;
      }
      if (state.status === "ready") {
        setStatus("");
        showRetry(false);
        applyAppearance(root, state.program.appearance);
        const programSlot = root.querySelector<HTMLElement>("[data-tally-program]");
        if (programSlot) renderProgram(programSlot, state.program, config);
      }
      if (state.member) {
        applyMember(root, state.member, config);
        redeem?.(state.member);
        showBirthday(root, state.member.birthday, config);
        showClaims(root, state.member.actionClaims);
        showOffer(state.member.referralUrl);
      }
    }
  });
  retry?.addEventListener("click", () => void loader.load());

  // Copy buttons: the referral link's (Liquid) and the discount codes' (redeem.ts), delegated.
  root.addEventListener("click", async (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("[data-tally-copy]");
    const input = button?.parentElement?.querySelector("input");
    if (!button || !input || !input.value) return;
    const strings = config.strings;
    const [label, done] = button.getAttribute("data-tally-copy") ? [strings.copyCode, strings.codeCopied] : [strings.copy, strings.copied];
    // Announced next to the button: the status line at the top would push the button away.
    const announce = button.parentElement!.querySelector("[data-tally-copy-status]");
    const copied = await copyText(input.value, input);
    button.textContent = copied ? done : label;
    button.toggleAttribute("data-tally-copied", copied);
    if (announce) announce.textContent = copied ? done : strings.copyFailed;
    setTimeout(() => {
      button.textContent = label;
      button.removeAttribute("data-tally-copied");
      if (announce) announce.textContent = "";
    }, COPIED_FOR_MS);
  });

  // Nothing to ask for when Liquid rendered the program and, for a signed-in shopper, a current
  // summary. A signed-in shopper's missing or outdated summary is refreshed at once: the launcher
  // shows the balance.
  const memberStale = config.loggedIn && !summaryCurrent;
  const needsData = memberStale || !config.programRendered;
  const inDialog = root.getAttribute("data-tally-mode") === "dialog";
  if (needsData && (memberStale || !inDialog)) whenIdle(() => void loader.load());
  if (!inDialog) return null;
  const load = () => {
    if (needsData) void loader.load();
  };
  const dialog = setupDialog(root, load);
  // Start the request when the shopper reaches for the launcher, before the click lands.
  const launcher = root.querySelector("[data-tally-launcher]");
  launcher?.addEventListener("pointerenter", load, { once: true });
  launcher?.addEventListener("focus", load, { once: true });
  return dialog;
}
