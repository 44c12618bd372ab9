// The thank-you block: an estimate from the program until Tally has processed the order, then the
// credited figure; for a guest, an invitation to create an account.
import { afterEach, describe, expect, it, vi } from "vitest";
import { customerAnswer, MEMBER } from "./fixtures";
import { LOCALES, setUpExtension, settle, text, type Locale, type TallyRoutes } from "./harness";

const TARGET = "purchase.thank-you.block.render";
let open: ReturnType<typeof setUpExtension> | null = null;
afterEach(() => {
  open?.[Symbol.dispose]();
  open = null;
  vi.useRealTimers();
});

function mount(routes: TallyRoutes, { locale = "en" as Locale, subtotal = { amount: 67.6, currencyCode: "EUR" } } = {}) {
  open = setUpExtension("tally-thank-you", TARGET, { locale, routes });
  open.shopify.orderConfirmation.value = { order: { id: "gid://shopify/Order/5100002" }, number: "ABC123" };
  open.shopify.cost.subtotalAmount.value = subtotal;
  open.shopify.shop.storefrontUrl = "https://tally-demo.myshopify.com/";
  return open;
}

describe("thank-you block", () => {
  it("estimates the points at the member's tier until the order is credited, then shows what was credited", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let reads = 0;
    const gold = { ...MEMBER, tier: { id: 2, name: "Gold", thresholdPoints: 1500, multiplierPercent: 150 } };
    const page = mount({
      "GET /extensions/customer": () => ({ json: customerAnswer(gold) }),
      "GET /extensions/orders/5100002": () => ({ json: { version: 1, order: ++reads < 3 ? null : { id: 5100002, points: 101, status: "credited" } } }),
    });
    await page.render();
    // 67.60 EUR at 1 point per 1.00 and ×1.5: floor(101.4).
    await settle(() => expect(text()).toContain("This order earns about 101 points once it is paid."));
    await vi.advanceTimersByTimeAsync(10_000);
    await settle(() => expect(text()).toContain("This order earned you 101 points."));
    expect(reads).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toBe(3); // no reads once credited
  });

  it("stops asking after a few reads and gives no figure for a currency Tally does not count in", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const order = vi.fn(() => ({ json: { version: 1, order: null } }));
    const page = mount({ "GET /extensions/customer": () => ({ json: customerAnswer() }), "GET /extensions/orders/5100002": order }, { subtotal: { amount: 80, currencyCode: "USD" } });
    await page.render();
    await settle(() => expect(text()).toContain("Points for this order will show here once it has been processed."));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(order).toHaveBeenCalledTimes(6);
  });

  it("invites a guest to create an account, with what members earn for such an order", async () => {
    const order = vi.fn();
    const page = mount({ "GET /extensions/customer": () => ({ json: customerAnswer(null) }), "GET /extensions/orders/5100002": order });
    await page.render();
    await settle(() => expect(text()).toContain("Members earn about 67 points for an order like this one."));
    expect(document.querySelector("s-banner")?.getAttribute("heading")).toBe("Join Tally Club");
    expect(document.querySelector("s-link")?.getAttribute("href")).toBe("https://tally-demo.myshopify.com/account");
    expect(order).not.toHaveBeenCalled();
  });

  it("shows an error when Tally cannot be reached", async () => {
    const page = mount({ "GET /extensions/customer": () => ({ status: 503, json: {} }) });
    await page.render();
    expect(document.querySelector("s-skeleton-paragraph")).not.toBeNull();
    await settle(() => expect(document.querySelector("s-banner")?.getAttribute("heading")).toBe("Couldn't load your points."));
  });

  it.each(LOCALES)("speaks %s to members and guests", async (locale) => {
    for (const member of [MEMBER, null]) {
      const page = mount({ "GET /extensions/customer": () => ({ json: customerAnswer(member) }), "GET /extensions/orders/5100002": () => ({ json: { version: 1, order: null } }) }, { locale });
      await page.render();
      await settle(() => expect(text()).toMatch(/67/));
      expect(text()).not.toMatch(/\{\{|guest\./);
      page[Symbol.dispose]();
      open = null;
    }
  });
});
