// Tally's storefront widget. Liquid renders everything for first paint; this script (loaded
// with `defer`) refreshes points from the app proxy, opens and closes the dialog, copies the
// referral link and keeps a ?ref= code for the cart. Its only global is window.Tally.
import { readConfig } from "./config";
import { createLoader } from "./data";
import type { Dialog } from "./dialog";
import { all } from "./dom";
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

  const loader = createLoader(config);
  const dialogs: Dialog[] = [];
  const mountNew = () => {
    for (const root of all(document, `[data-tally-root]:not([${MOUNTED}])`)) {
      root.setAttribute(MOUNTED, "");
      const dialog = mountWidget(root, readConfig(root) || config, loader);
      if (dialog) dialogs.unshift(dialog);
    }
  };
  mountNew();
  // The theme editor re-renders a block when the merchant changes a setting.
  document.addEventListener("shopify:section:load", mountNew);

  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    // Access to localStorage throws when the shopper blocks site data.
  }
  if (storage) void captureReferral(location.search, config.cart, storage, fetch.bind(window));

  window.Tally = {
    version: 1,
    refresh: loader.refresh,
    open: () => dialogs[0]?.open(),
    close: () => dialogs[0]?.close(),
  };
}

start();
