// The balance block on the order index and the profile, linking to the Rewards page.
import { afterEach, describe, expect, it } from "vitest";
import { customerAnswer, MEMBER } from "./fixtures";
import { click, LOCALES, setUpExtension, settle, text, type Locale, type TallyRoutes } from "./harness";

let open: ReturnType<typeof setUpExtension> | null = null;
afterEach(() => {
  open?.[Symbol.dispose]();
  open = null;
});

function mount(target: "customer-account.order-index.block.render" | "customer-account.profile.block.render", routes: TallyRoutes = {}, locale: Locale = "en") {
  open = setUpExtension("tally-account-balance", target, { locale, routes: { "GET /extensions/customer": () => ({ json: customerAnswer() }), ...routes } });
  return open;
}

describe("account balance block", () => {
  it.each(["customer-account.order-index.block.render", "customer-account.profile.block.render"] as const)("shows the balance and tier on %s, with the way to the Rewards page", async (target) => {
    const block = mount(target);
    await block.render();
    expect(document.querySelector("s-skeleton-paragraph")).not.toBeNull();
    await settle(() => expect(text()).toContain("You have 620 points"));
    expect(text()).toContain("Silver member");
    expect(document.querySelector("s-button")?.getAttribute("href")).toBe("extension:tally-rewards-page/");
  });

  it("says one point, and shows an error it can recover from", async () => {
    let attempts = 0;
    const block = mount("customer-account.profile.block.render", { "GET /extensions/customer": () => (++attempts === 1 ? { status: 401, json: { error: { code: "invalid_session_token" } } } : { json: customerAnswer({ ...MEMBER, balance: 1, tier: null as never }) }) });
    await block.render();
    await settle(() => expect(document.querySelector("s-banner")?.getAttribute("heading")).toBe("Couldn't load your points."));
    click(document.querySelector("s-banner s-button")!);
    await settle(() => expect(text()).toContain("You have 1 point"));
  });

  it.each(LOCALES)("speaks %s", async (locale) => {
    const block = mount("customer-account.profile.block.render", {}, locale);
    await block.render();
    await settle(() => expect(text()).toContain("620"));
    expect(text()).not.toMatch(/\{\{|see_rewards/);
  });
});
