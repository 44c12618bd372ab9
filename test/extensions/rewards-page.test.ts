// The customer-account Rewards page: balance, tier and perks, rewards with redeem and the issued
// codes, the paged history in plain words, the referral link and the birthday form.
import { afterEach, describe, expect, it } from "vitest";
import { customerAnswer, MEMBER } from "./fixtures";
import { change, click, LOCALES, setUpExtension, settle, text, type Locale, type TallyRoutes } from "./harness";

const TARGET = "customer-account.page.render";
let open: ReturnType<typeof setUpExtension> | null = null;
afterEach(() => {
  open?.[Symbol.dispose]();
  open = null;
});

const HISTORY = {
  version: 1,
  entries: [
    { id: 9, kind: "redeem", points: -500, status: "available", createdAt: "2026-11-30T10:00:00.000Z", orderId: null, reward: "5.00 off your order" },
    { id: 8, kind: "refund_reversal", points: -12, status: "available", createdAt: "2026-11-29T10:00:00.000Z", orderId: 5100001, reward: null },
    { id: 7, kind: "earn", points: 57, status: "pending", createdAt: "2026-11-28T10:00:00.000Z", orderId: 5100001, reward: null },
  ],
  next: 7,
};
const OLDER = {
  version: 1,
  entries: [
    { id: 4, kind: "pending_release", points: 80, status: "available", createdAt: "2026-10-15T10:00:00.000Z", orderId: 5100001, reward: null },
    { id: 3, kind: "signup", points: 100, status: "available", createdAt: "2026-10-01T10:00:00.000Z", orderId: null, reward: null },
    { id: 2, kind: "action", points: 50, status: "available", createdAt: "2026-09-20T10:00:00.000Z", orderId: null, reward: null },
    { id: 1, kind: "tier_adjustment", points: 25, status: "available", createdAt: "2026-09-10T10:00:00.000Z", orderId: 5100001, reward: null },
  ],
  next: null,
};
const ORDER_NAMES = { data: { o0: { name: "#1042" } } };

function mount(routes: TallyRoutes = {}, locale: Locale = "en") {
  open = setUpExtension("tally-rewards-page", TARGET, {
    locale,
    routes: {
      "GET /extensions/customer": () => ({ json: customerAnswer() }),
      "GET /extensions/activity": (call) => ({ json: call.path.includes("before=7") ? OLDER : HISTORY }),
      "POST shopify://customer-account/api/2026-07/graphql.json": () => ({ json: ORDER_NAMES }),
      ...routes,
    },
  });
  return open;
}

const button = (label: string) => [...document.querySelectorAll("s-button")].find((element) => element.textContent === label || element.getAttribute("accessibilityLabel") === label)!;

describe("Rewards page", () => {
  it("shows the balance, pending points, tier progress and the next tier's perks", async () => {
    const page = mount();
    await page.render();
    expect(document.querySelector("s-spinner")).not.toBeNull();
    await settle(() => expect(text()).toContain("620 points"));
    const shown = text();
    expect(shown).toContain("40 points pending");
    expect(shown).toContain("Silver member");
    expect(shown).toContain("600 points to Gold");
    expect(shown).toContain("Earn 1.5× points on orders");
    expect(shown).toContain("Free shipping"); // Gold's own reward, listed among its perks
    const progress = document.querySelector("s-progress")!;
    expect([progress.getAttribute("value"), progress.getAttribute("max"), progress.getAttribute("accessibilityLabel")]).toEqual(["900", "1500", "Progress to Gold"]);
    expect(document.querySelector("s-page")?.getAttribute("heading")).toBe("Tally Club");
  });

  it("counts progress in money when the program's tiers are on amount spent", async () => {
    const page = mount({ "GET /extensions/customer": () => ({ json: customerAnswer({ ...MEMBER, progress: { basis: "amount", current: 90_000, target: 150_000, remaining: 60_000, percent: 60, remainingAmount: "600.00" } }) }) });
    await page.render();
    await settle(() => expect(text()).toContain("€600.00 to Gold"));
  });

  it("lists the history in plain words with order names from the Customer Account API, and pages", async () => {
    const page = mount();
    await page.render();
    await settle(() => expect(text()).toContain("Order #1042 (pending) +57"));
    expect(text()).toContain("Refund #1042 −12");
    expect(text()).toContain("Redeemed 5.00 off your order −500");
    click(button("Show older"));
    await settle(() => expect(text()).toContain("Welcome bonus +100"));
    await settle(() => expect(text()).toContain("Order #1042: points now available +80"));
    expect(text()).toContain("Points for an action +50");
    expect(text()).toContain("Order #1042: points for your VIP tier +25");
    expect(page.calls.map((call) => call.path)).toContain("/extensions/activity?before=7");
    expect(button("Show older")).toBeUndefined();
  });

  it("still reads the history when order names cannot be fetched", async () => {
    const page = mount({ "POST shopify://customer-account/api/2026-07/graphql.json": () => ({ status: 500, json: {} }) });
    await page.render();
    await settle(() => expect(text()).toMatch(/Order \(pending\) \+57/));
    click(button("Show older"));
    await settle(() => expect(text()).toContain("Order: points now available +80"));
  });

  it("redeems an affordable reward and shows its code, and only what the balance and tier allow can be pressed", async () => {
    const page = mount({
      "POST /extensions/redeem": (call) => ({
        json: { version: 1, redemption: { ...MEMBER.redemptions[0], id: 42, code: "TALLY-NEWCODE123", rewardId: (call.body as { rewardId: number }).rewardId }, member: { ...MEMBER, balance: 120, redemptions: [{ ...MEMBER.redemptions[0], id: 42, code: "TALLY-NEWCODE123" }, ...MEMBER.redemptions] } },
      }),
    });
    await page.render();
    await settle(() => expect(button("Redeem 5.00 off your order")).toBeDefined());
    expect(button("Redeem Free shipping").getAttribute("disabled")).not.toBeNull(); // Gold only
    expect(button("Redeem 5.00 off your order").getAttribute("disabled")).toBeNull();
    expect(text()).toContain("TALLY-K7QX2MZPAB");
    await settle(() => expect(text()).toContain("Redeemed 5.00 off your order −500"));
    click(button("Redeem 5.00 off your order"));
    await settle(() => expect(text()).toContain("Reward redeemed. Your code is below."));
    expect(page.calls.find((call) => call.method === "POST")).toEqual({ method: "POST", path: "/extensions/redeem", body: { rewardId: 12 } });
    expect(text()).toContain("TALLY-NEWCODE123");
    expect(text()).toContain("120 points");
    expect(document.querySelector('s-clipboard-item[text="TALLY-NEWCODE123"]')).not.toBeNull();
    // The history is read again: the redeem is its newest entry.
    await settle(() => expect(page.calls.filter((call) => call.path === "/extensions/activity")).toHaveLength(2));
  });

  it("says why a redeem was refused and leaves the balance as it was", async () => {
    const page = mount({ "POST /extensions/redeem": () => ({ status: 409, json: { error: { code: "not_enough_points", message: "" } } }) });
    await page.render();
    await settle(() => expect(button("Redeem 5.00 off your order")).toBeDefined());
    click(button("Redeem 5.00 off your order"));
    await settle(() => expect(text()).toContain("You don't have enough points for this reward."));
    expect(text()).toContain("620 points");
  });

  it("offers the referral link to copy and share", async () => {
    const page = mount();
    await page.render();
    await settle(() => expect(document.querySelector("s-clipboard-item#tally-referral-link")?.getAttribute("text")).toBe(MEMBER.referralUrl));
    expect(text()).toContain("Referred: 2 · Ordered: 1 · Earned: 500 points");
  });

  it("sends the birthday and then shows it", async () => {
    const page = mount({ "POST /extensions/birthday": (call) => ({ json: customerAnswer({ ...MEMBER, birthday: "02-29" }), ...(call.body ? {} : { status: 400 }) }) });
    await page.render();
    await settle(() => expect(button("Save birthday")).toBeDefined());
    const [month, day] = document.querySelectorAll("s-select");
    change(month, "2");
    expect(button("Save birthday").hasAttribute("disabled")).toBe(true);
    change(day, "29");
    await settle(() => expect(button("Save birthday").hasAttribute("disabled")).toBe(false));
    click(button("Save birthday"));
    await settle(() => expect(text()).toContain("We'll celebrate on February 29."));
    expect(page.calls.find((call) => call.path === "/extensions/birthday")?.body).toEqual({ month: 2, day: 29 });
  });

  it("shows an error with a way to try again when Tally cannot be reached", async () => {
    let attempts = 0;
    const page = mount({ "GET /extensions/customer": () => (++attempts === 1 ? { status: 503, json: {} } : { json: customerAnswer() }) });
    await page.render();
    await settle(() => expect(document.querySelector("s-banner")?.getAttribute("heading")).toBe("Couldn't load your points."));
    click(button("Try again"));
    await settle(() => expect(text()).toContain("620 points"));
  });

  it("shows an empty history and no codes for a new member", async () => {
    const page = mount({
      "GET /extensions/customer": () => ({ json: customerAnswer({ ...MEMBER, balance: 0, pendingBalance: 0, redemptions: [], tier: null as never, nextTier: null as never, progress: null as never }) }),
      "GET /extensions/activity": () => ({ json: { version: 1, entries: [], next: null } }),
    });
    await page.render();
    await settle(() => expect(text()).toContain("Your points will show here once you place an order."));
    expect(text()).toContain("No unused rewards yet.");
    expect(text()).toContain("No tier yet");
  });

  it.each(LOCALES)("speaks %s throughout", async (locale) => {
    const page = mount({}, locale);
    await page.render();
    await settle(() => expect(document.querySelectorAll("s-section").length).toBeGreaterThan(4));
    await settle(() => expect(text()).toContain("#1042"));
    expect(text()).not.toMatch(/\{\{|activity\.|rewards\./);
  });
});
