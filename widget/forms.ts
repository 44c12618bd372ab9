// The forms Liquid renders hidden or read-only (snippets/tally-birthday, tally-offer, and the custom
// actions' claims in tally-program): the script shows the right one, posts it to the app proxy
// (form[data-tally-post] names the endpoint) and writes the answer's line, which Liquid rendered
// translated as a hidden data-tally-msg text: "busy", "ok" (a claim: its status), the error's
// code, else "error".
import type { WidgetConfig } from "./config";
import type { ActionClaimView, FormAnswer } from "./contract";
import type { Loader } from "./data";
import { all, fields } from "./dom";
import { codeBox } from "./code";
import { fill, formatMoney } from "./i18n";
import { post } from "./post";
import { STORED_CODE_KEY } from "./referral";

const OFFER_KEY = "tally:offer";
/** The text Liquid rendered for a line of the box's form, else its generic error. */
const lineOf = (box: Element, key = "ok") => (box.querySelector(`[data-tally-msg="${key}"]`) || box.querySelector('[data-tally-msg="error"]'))!.textContent!;
type Storage = Pick<globalThis.Storage, "getItem" | "setItem"> | null;

/** A claimed friend offer, kept so a later page shows its code again rather than claim another. */
type KeptOffer = [code: string, expiresAt: string | null, line: string];

export function wireForms(root: HTMLElement, config: WidgetConfig, loader: Pick<Loader, "publish">, storage: Storage) {
  const offer = root.querySelector<HTMLElement>("[data-tally-offer]");
  const showCode = ([code, expiresAt, line]: KeptOffer) => {
    offer!.querySelector("form")!.hidden = true;
    offer!.querySelector("[data-tally-form-status]")!.textContent = line;
    const box = codeBox(code, config.strings.codeLabel, expiresAt, config);
    offer!.append(box);
    return box;
  };

  root.addEventListener("submit", async (event) => {
    const form = event.target as HTMLFormElement;
    const path = form.getAttribute("data-tally-post");
    if (!path) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy")) return;
    const box = form.parentElement!;
    const status = box.querySelector("[data-tally-form-status]")!;
    const line = (key?: string) => lineOf(box, key);
    const body: Record<string, unknown> = {};
    for (const field of all<HTMLInputElement>(form, "[name]")) body[field.name] = field.tagName == "SELECT" ? Number(field.value) : field.value;
    // A follow opens where to follow, while the click still counts as the shopper's.
    const follow = form.getAttribute("data-tally-open");
    if (follow) open(follow, "_blank", "noopener");
    form.setAttribute("aria-busy", "true");
    status.textContent = line("busy");
    let answer: FormAnswer | null = null;
    try {
      [, answer] = await post<FormAnswer>(`${config.proxy}/${path}`, body);
    } catch {
      // no answer: the generic line
    }
    form.removeAttribute("aria-busy");
    if (!answer || answer.version !== 1) {
      status.textContent = line(answer?.error?.code || "error");
    } else if (answer.member) {
      // The birthday or an action's claim: the answer is the member, with it, for every widget.
      // The form has done its work; focus goes to what replaces it (the date, the claim's line).
      status.textContent = line(answer.claim?.status);
      form.hidden = true;
      // After the form is hidden (showClaims leaves it as it is), before the focus moves (the
      // birthday's date shows with the member).
      loader.publish(answer.member);
      box.querySelector<HTMLElement>("[tabindex]")!.focus();
    } else if (answer.offer?.code) {
      const given = answer.offer;
      const kept: KeptOffer = [
        answer.offer.code,
        given.expiresAt,
        fill(line(given.referredBy ? "ok" : "okAnonymous"), { amount: formatMoney(Number(given.amount), given.currency, config.locale), name: given.referredBy || "" }),
      ];
      try {
        storage!.setItem(OFFER_KEY, JSON.stringify(kept));
      } catch {
        // not kept: a later page offers the claim again, which answers the same code when signed in
      }
      showCode(kept).querySelector("input")!.focus();
    } else status.textContent = line("error");
  });

  /** Shows the friend offer to a shopper with a stored ?ref= code that is not their own (referralUrl: theirs). */
  return (referralUrl?: string | null) => {
    let code: string | null = null;
    let kept: KeptOffer | null = null;
    try {
      code = storage!.getItem(STORED_CODE_KEY);
      kept = JSON.parse(storage!.getItem(OFFER_KEY)!);
    } catch {
      // storage blocked: no code, no offer
    }
    if (!offer || !code || (referralUrl || "").endsWith(`=${code}`)) return;
    offer.querySelector<HTMLInputElement>("[name=code]")!.value = code;
    if (offer.hidden && kept) showCode(kept);
    offer.hidden = false;
  };
}

/**
 * Each custom action the member has claimed: its status line instead of the form. A form already
 * hidden shows its line (nothing is announced again), and one in flight is left to its answer;
 * focus on the form's button moves to the line.
 */
export function showClaims(root: HTMLElement, claims: ActionClaimView[] | undefined) {
  for (const claim of claims || []) {
    const box = root.querySelector(`[data-tally-action="${claim.actionId}"]`);
    const form = box?.querySelector("form");
    if (!form || form.hidden) continue;
    const status = box!.querySelector<HTMLElement>("[data-tally-form-status]")!;
    const focused = form.contains(document.activeElement);
    status.textContent = lineOf(box!, claim.status);
    form.hidden = true;
    if (focused) status.focus();
  }
}

/** The member's birthday ("MM-DD") read-only once given, else the form. */
export function showBirthday(root: HTMLElement, birthday: string | null | undefined, config: WidgetConfig) {
  for (const section of all(root, "[data-tally-birthday]")) {
    const form = section.querySelector("form")!;
    const [month, day] = (birthday || "").split("-").map(Number);
    const given = fields(section, "birthday")[0];
    given.hidden = !day;
    form.hidden = !!day;
    if (day) given.textContent = fill(config.strings.birthday, { month: (form.month as HTMLSelectElement).options[month].text, day });
  }
}
