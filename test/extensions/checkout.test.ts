// The checkout block: the member's balance and affordable rewards; a redeem creates the code and
// applies it to the checkout.
import { afterEach, describe, expect, it, vi } from "vitest";
import { customerAnswer, MEMBER } from "./fixtures";
import { click, LOCALES, setUpExtension, settle, text, type Locale, type TallyRoutes } from "./harness";

const TARGET = "purchase.checkout.block.render";
let open: ReturnType<typeof setUpExtension> | null = null;
afterEach(() => {
  open?.[Symbol.dispose]();
  open = null;
});

const REDEEMED = { version: 1, redemption: { ...MEMBER.redemptions[0], id: 43, code: "TALLY-CHECKOUT01" }, member: { ...MEMBER, balance: 120 } };

function mount(routes: TallyRoutes = {}, { locale = "en" as Locale, canUpdate = true, subtotal = 80 } = {}) {
  open = setUpExtension("tally-checkout", TARGET, { locale, routes: { "GET /extensions/customer": () => ({ json: customerAnswer() }), ...routes } });
  open.shopify.cost.subtotalAmount.value = { amount: subtotal, currencyCode: "EUR" };
  open.shopify.instructions.value = { ...open.shopify.instructions.value, discounts: { canUpdateDiscountCodes: canUpdate } };
  open.shopify.applyDiscountCodeChange = vi.fn(async () => ({ type: "success" }));
  return open;
}

const redeemButton = () => [...document.querySelectorAll("s-button")].find((element) => element.getAttribute("accessibilityLabel") === "Redeem 5.00 off your order")!;

describe("checkout block", () => {
  it("lists only the rewards the balance and tier afford, codes only", async () => {
    const block = mount();
    await block.render();
    await settle(() => expect(text()).toContain("You have 620 points"));
    expect(text()).toContain("5.00 off your order");
    expect(text()).not.toContain("Free shipping"); // Gold only
    expect(text()).not.toContain("Store credit"); // not a code to apply here
  });

  it("redeems and applies the code to the checkout", async () => {
    const block = mount({ "POST /extensions/redeem": () => ({ json: REDEEMED }) });
    await block.render();
    await settle(() => expect(redeemButton()).toBeDefined());
    click(redeemButton());
    await settle(() => expect(text()).toContain("Code TALLY-CHECKOUT01 applied to this order."));
    expect(block.shopify.applyDiscountCodeChange).toHaveBeenCalledWith({ type: "addDiscountCode", code: "TALLY-CHECKOUT01" });
    expect(text()).toContain("You have 120 points");
    expect(block.calls.at(-1)).toEqual({ method: "POST", path: "/extensions/redeem", body: { rewardId: 12 } });
  });

  it("shows the code to enter by hand when the checkout does not take codes from apps", async () => {
    const block = mount({ "POST /extensions/redeem": () => ({ json: REDEEMED }) }, { canUpdate: false });
    await block.render();
    await settle(() => expect(redeemButton()).toBeDefined());
    click(redeemButton());
    await settle(() => expect(text()).toContain("Your code is TALLY-CHECKOUT01. Enter it in the discount field to use it."));
    expect(block.shopify.applyDiscountCodeChange).not.toHaveBeenCalled();
  });

  it("says why a redeem was refused (the points are back)", async () => {
    const block = mount({ "POST /extensions/redeem": () => ({ status: 502, json: { error: { code: "shopify_failed" } } }) });
    await block.render();
    await settle(() => expect(redeemButton()).toBeDefined());
    click(redeemButton());
    await settle(() => expect(text()).toContain("Shopify couldn't create your reward. Your points are back, please try again."));
    expect(block.shopify.applyDiscountCodeChange).not.toHaveBeenCalled();
  });

  it("shows nothing to a guest, and an empty state when nothing is affordable", async () => {
    const guest = mount({ "GET /extensions/customer": () => ({ json: customerAnswer(null) }) });
    await guest.render();
    await settle(() => expect(guest.calls).toHaveLength(1));
    await settle(() => expect(document.querySelector("s-skeleton-paragraph")).toBeNull());
    expect(text()).toBe("");
    guest[Symbol.dispose]();
    const poor = mount({ "GET /extensions/customer": () => ({ json: customerAnswer({ ...MEMBER, balance: 20 }) }) });
    await poor.render();
    await settle(() => expect(text()).toContain("Keep collecting: no reward is within reach of your points yet."));
  });

  it.each(LOCALES)("speaks %s", async (locale) => {
    const block = mount({}, { locale });
    await block.render();
    await settle(() => expect(text()).toContain("620"));
    expect(text()).not.toMatch(/\{\{|redeem\./);
  });
});
