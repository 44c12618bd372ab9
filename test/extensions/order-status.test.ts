// The order status block: what the order earned, or what a refund or cancellation took back.
import { afterEach, describe, expect, it } from "vitest";
import { LOCALES, setUpExtension, settle, text, type TallyRoutes } from "./harness";

const TARGET = "customer-account.order-status.block.render";
let open: ReturnType<typeof setUpExtension> | null = null;
afterEach(() => open?.[Symbol.dispose]());

function mount(order: unknown, options: { status?: number; locale?: (typeof LOCALES)[number] } = {}) {
  const routes: TallyRoutes = { "GET /extensions/orders/5100002": () => ({ status: options.status, json: options.status ? { error: { code: "not_found" } } : { version: 1, order } }) };
  open = setUpExtension("tally-order-status", TARGET, { routes, locale: options.locale });
  open.shopify.order.value = { id: "gid://shopify/Order/5100002", name: "#1042" };
  return open;
}

describe("order status block", () => {
  it("shows the points the order earned, asking with the session token", async () => {
    const extension = mount({ id: 5100002, points: 67, status: "credited" });
    await extension.render();
    await settle(() => expect(text()).toContain("This order earned you 67 points."));
    expect(extension.calls).toEqual([{ method: "GET", path: "/extensions/orders/5100002", body: undefined }]);
    expect(document.querySelector("s-link")?.getAttribute("href")).toBe("extension:tally-rewards-page/");
  });

  it("says what a refund took back, a cancellation, an unpaid and an unprocessed order", async () => {
    for (const [order, words] of [
      [{ id: 5100002, points: 1, status: "refunded" }, "After the refund, this order keeps 1 point; the rest was taken back."],
      [{ id: 5100002, points: 0, status: "cancelled" }, "This order was cancelled, so its points were taken back."],
      [{ id: 5100002, points: 0, status: "awaiting_payment" }, "This order earns points once it is paid."],
      [null, "Points for this order will show here once it has been processed."],
    ] as const) {
      const extension = mount(order);
      await extension.render();
      await settle(() => expect(text()).toContain(words));
      extension[Symbol.dispose]();
      open = null;
    }
  });

  it("shows a loading state, then an error with a way to try again", async () => {
    const extension = mount(null, { status: 404 });
    await extension.render();
    expect(document.querySelector("s-skeleton-paragraph")).not.toBeNull();
    await settle(() => expect(document.querySelector("s-banner")?.getAttribute("heading")).toBe("Couldn't load your points."));
    expect(document.querySelector("s-banner s-button")?.textContent).toBe("Try again");
  });

  it.each(LOCALES)("speaks %s in every state", async (locale) => {
    for (const order of [{ id: 5100002, points: 2, status: "credited" }, { id: 5100002, points: 1, status: "refunded" }, null]) {
      const extension = mount(order, { locale });
      await extension.render();
      await settle(() => expect(document.querySelector("s-text")).not.toBeNull());
      expect(text()).not.toMatch(/status\.|\{\{/);
      extension[Symbol.dispose]();
      open = null;
    }
  });
});
