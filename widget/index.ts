// Tally's storefront widget. Liquid renders everything for first paint; this script (loaded
// with `defer`) refreshes points from the app proxy, opens and closes the dialog, copies the
// referral link and keeps a ?ref= code for the cart. Its only global is window.Tally.
import { readConfig } from "./config";
import { createLoader } from "./data";
import type { Dialog } from "./dialog";
import { all } from "./dom";
import { memberFromSummary, rememberVersion, summaryIsCurrent } from "./freshness";
import { captureReferral } from "./referral";
import { mountWidget } from "./widget";

export interface TallyApi {
  version: 1;
  /** Fetches the member's points again and updates every widget on the page. */
  refresh(): Promise<void>;
  open(): void;
  close(): void;
}

declare global {
  interface Window {
    Tally?: TallyApi;
  }
}

const MOUNTED = "data-tally-mounted";

function start(): void {
  // Both the app embed and the app block include the script; the second copy does nothing.
  if (window.Tally) return;
  const first = document.querySelector("[data-tally-root]");
  const config = first ? readConfig(first) : null;
  if (!config) return;

  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    // Access to localStorage throws when the shopper blocks site data.
  }

  const loader = createLoader(config);
  // A current summary is all a page view needs: the app is asked only for an action.
  const summary = config.loggedIn && summaryIsCurrent(config.summary, config.customer, storage) ? config.summary : null;
  loader.subscribe((state) => {
    if ((state.status === "ready" || state.status === "member") && state.member) rememberVersion(storage, config.customer, state.member.summaryVersion);
  });
  // Before the widgets mount: a code that just arrived is stored by then, for the friend offer.
  if (storage) void captureReferral(location.search, config.cart, storage, fetch.bind(window));
  const dialogs: Dialog[] = [];
  const mountNew = () => {
    for (const root of all(document, `[data-tally-root]:not([${MOUNTED}])`)) {
      root.setAttribute(MOUNTED, "");
      const dialog = mountWidget(root, readConfig(root) || config, loader, summary !== null, storage);
      if (dialog) dialogs.unshift(dialog);
    }
  };
  mountNew();
  if (summary) loader.publish(memberFromSummary(summary));
  // The theme editor re-renders a block when the merchant changes a setting.
  document.addEventListener("shopify:section:load", mountNew);


  window.Tally = {
    version: 1,
    refresh: loader.refresh,
    open: () => dialogs[0]?.open(),
    close: () => dialogs[0]?.close(),
  };
}

start();
