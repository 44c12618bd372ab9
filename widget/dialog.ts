// The launcher's dialog: opens on click, traps focus, closes on Esc, the close button or a click
// outside, and gives focus back to the launcher.
import { all } from "./dom";

export interface Dialog {
  open(): void;
  close(): void;
}

const FOCUSABLE = "a[href],button,input,select,textarea,summary,[tabindex]";

export function setupDialog(root: HTMLElement, onOpen: () => void): Dialog | null {
  const launcher = root.querySelector<HTMLButtonElement>("[data-tally-launcher]");
  const panel = root.querySelector<HTMLElement>("[data-tally-panel]");
  const backdrop = root.querySelector<HTMLElement>("[data-tally-backdrop]");
  if (!launcher || !panel) return null;

  const focusable = () => all<HTMLButtonElement>(panel, FOCUSABLE).filter((node) => node.tabIndex >= 0 && !node.disabled && node.getClientRects().length);

  function onKeydown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      const nodes = focusable();
      if (!nodes.length) return;
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      const active = document.activeElement;
      if (!panel!.contains(active) || (event.shiftKey && (active === first || active === panel))) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  function open() {
    if (!panel!.hidden) return;
    panel!.hidden = false;
    if (backdrop) backdrop.hidden = false;
    launcher!.setAttribute("aria-expanded", "true");
    document.addEventListener("keydown", onKeydown, true);
    const close = panel!.querySelector<HTMLElement>("[data-tally-close]");
    (close || panel!).focus();
    onOpen();
  }

  function close() {
    if (panel!.hidden) return;
    panel!.hidden = true;
    if (backdrop) backdrop.hidden = true;
    launcher!.setAttribute("aria-expanded", "false");
    document.removeEventListener("keydown", onKeydown, true);
    launcher!.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  backdrop?.addEventListener("click", close);
  for (const button of all(panel, "[data-tally-close]")) button.addEventListener("click", close);
  return { open, close };
}
