// The widget as shoppers meet it: Chromium on the local storefront, the production app behind
// the app proxy, points created by signed webhooks. Needs `npm run build` (like test/e2e).
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceOf, memberOf } from "../support/ledger-queries";
import { DESKTOP_USER_AGENT, launchChromium, screenshotPath } from "../../dev/simulator/browser";
import { customerCreatePayload, orderPayload } from "../../dev/simulator/shopify-payloads";
import { ADA, ALAN, GRACE, KATHERINE, newOrderId, startWidgetScenario, WIDGET_SHOP, type WidgetScenario } from "../../dev/simulator/storefront/scenario";
import { XSS } from "./fixtures";

const PROXY = "/apps/tally/";

describe("the storefront widget in Chromium", () => {
  let scenario: WidgetScenario;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    scenario = await startWidgetScenario();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await scenario?.stop();
  });

  interface Visit {
    page: Page;
    context: BrowserContext;
    /** Uncaught exceptions and console errors the page reported. */
    errors: string[];
    /** Every URL the page requested. */
    requests: string[];
  }

  /** A fresh browser context and page, not navigated yet (routes can be set up first). */
  async function openPage(options: BrowserContextOptions = {}): Promise<Visit> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_USER_AGENT, ...options });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    return { page, context, errors, requests };
  }

  async function visit(path: string, options: BrowserContextOptions = {}, base = scenario.storefront.url): Promise<Visit> {
    const opened = await openPage(options);
    await opened.page.goto(`${base}${path}`);
    return opened;
  }

  /** Holds back the page's requests for `url` until release(); `asked` settles when the first one is made. */
  async function holdRequests(page: Page, url: string) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let ask = () => {};
    const asked = new Promise<void>((resolve) => (ask = resolve));
    await page.route(url, async (route) => {
      ask();
      await released;
      await route.continue();
    });
    return { asked, release };
  }

  const panel = (page: Page) => page.locator("[data-tally-panel]");
  const launcher = (page: Page) => page.locator("[data-tally-launcher]");
  const proxyResponse = (page: Page) => page.waitForResponse((response) => response.url().includes(PROXY));
  const inPanel = (page: Page, field: string) => panel(page).locator(`[data-tally-field="${field}"]`);

  /**
   * Loads a page with the proxy's answer held back, notes where every element of the page is,
   * lets the answer through and waits for the widget to take it, then lists the elements that
   * moved (the page's own and the widget's; the dialog's panel is an overlay and is left out).
   * Comparing positions before and after hydration does not depend on when the browser happens
   * to paint, unlike summing layout-shift entries.
   */
  async function acrossHydration(path: string, whileHeld?: (page: Page) => Promise<void>) {
    const { page } = await openPage();
    const proxy = await holdRequests(page, `**${PROXY}**`);
    await page.goto(`${scenario.storefront.url}${path}`);
    await whileHeld?.(page);
    await proxy.asked;
    const positions = () =>
      page.evaluate(() => {
        const found: Record<string, { name: string; x: number; y: number }> = {};
        document.querySelectorAll("body *").forEach((node, index) => {
          if (node.closest("[data-tally-panel]")) return;
          const id = node.getAttribute("data-layout-probe") ?? String(index);
          node.setAttribute("data-layout-probe", id);
          const box = node.getBoundingClientRect();
          if (box.width > 0 || box.height > 0) found[id] = { name: `${node.tagName.toLowerCase()}.${node.className}`, x: Math.round(box.left + scrollX), y: Math.round(box.top + scrollY) };
        });
        return found;
      });
    const before = await positions();
    const hydrated = proxyResponse(page);
    proxy.release();
    await hydrated;
    await page.waitForFunction(() => document.querySelectorAll("[data-tally-member][aria-busy]").length === 0);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const after = await positions();
    const movedAlong = (axis: "x" | "y") =>
      Object.entries(before)
        .filter(([id, box]) => after[id] && after[id][axis] !== box[axis])
        .map(([id, box]) => `${box.name} at ${box.x},${box.y} -> ${after[id]!.x},${after[id]!.y}`);
    return { page, moved: [...new Set([...movedAlong("x"), ...movedAlong("y")])], movedUpOrDown: movedAlong("y") };
  }

  const settled = (page: Page) => panel(page).evaluate((node) => Promise.all(node.getAnimations().map((animation) => animation.finished)));

  async function openLauncher(page: Page) {
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    await settled(page);
  }

  const referralUrlOf = async (customerId: number) => `https://${WIDGET_SHOP}/?ref=${(await memberOf(scenario.db, customerId, WIDGET_SHOP))!.referralCode}`;

  it("shows a signed-in member the balance the ledger holds and the progress to the next tier", async () => {
    const ledgerBalance = await balanceOf(scenario.db, ADA.id, WIDGET_SHOP);
    expect(ledgerBalance).toBe(150);
    const { page, errors } = await visit(`/?customer=${ADA.id}`);

    await expect.poll(() => launcher(page).innerText()).toMatch(/Rewards\s*150/);
    const refreshed = proxyResponse(page);
    await openLauncher(page);
    expect(await launcher(page).getAttribute("aria-expanded")).toBe("true");
    expect((await refreshed).status()).toBe(200);

    expect(await inPanel(page, "balance").innerText()).toBe(String(ledgerBalance));
    expect(await inPanel(page, "tier-name").innerText()).toBe("Silver member");
    expect(await inPanel(page, "tier-next").innerText()).toBe("350 points to Gold");
    expect(await panel(page).locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("30");
    expect(await panel(page).getByText("Hi Ada").count()).toBe(1);
    await page.screenshot({ path: screenshotPath("widget-dialog-member") });
    expect(errors).toEqual([]);
  });

  it("replaces a stale first paint with what the app proxy says now", async () => {
    const { page } = await visit(`/?customer=${ALAN.id}`);
    expect(await inPanel(page, "balance").textContent()).toBe("120");
    await scenario.deliver("orders/paid", orderPayload({ id: newOrderId(), customer: { id: ALAN.id }, lines: [{ price: "25.00" }] }));

    await openLauncher(page);
    await expect.poll(() => inPanel(page, "balance").innerText()).toBe("145");
    expect(await launcher(page).innerText()).toMatch(/145/);
    expect(await inPanel(page, "tier-next").innerText()).toBe("355 points to Gold");
    expect(await balanceOf(scenario.db, ALAN.id, WIDGET_SHOP)).toBe(145);
  });

  it("fills the skeleton when the metafields are missing", async () => {
    const { page } = await visit(`/?customer=${ADA.id}&summary=none&program=none`);
    expect(await launcher(page).innerText()).not.toMatch(/\d/);
    expect(await panel(page).locator("[data-tally-member]").getAttribute("aria-busy")).toBe("true");
    // Hold the proxy's answer to see the skeleton the shopper sees meanwhile.
    const proxy = await holdRequests(page, `**${PROXY}**`);
    await openLauncher(page);
    await page.screenshot({ path: screenshotPath("widget-skeleton") });
    proxy.release();

    await expect.poll(() => inPanel(page, "balance").innerText()).toBe("150");
    expect(await panel(page).locator("[data-tally-member]").getAttribute("aria-busy")).toBeNull();
    expect(await inPanel(page, "referral-url").inputValue()).toBe(await referralUrlOf(ADA.id));
    const program = panel(page).locator("[data-tally-program]");
    expect(await program.getAttribute("aria-busy")).toBeNull();
    const text = await program.innerText();
    expect(text).toContain("1 point for every $1.00 spent");
    expect(text).toContain("5.00 off your order");
    expect(text).toContain("350 more points to go");
    expect(text).toContain("Gold");
    expect(text).toContain("Points don't expire.");
    await page.screenshot({ path: screenshotPath("widget-dialog-hydrated-from-skeleton") });
  });

  it("copies the referral link", async () => {
    const { page, context } = await visit(`/?customer=${ADA.id}`);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: scenario.storefront.url });
    await openLauncher(page);
    const copy = panel(page).locator("[data-tally-copy]");
    await copy.click();
    await expect.poll(() => copy.innerText()).toBe("Link copied");
    expect(await copy.getAttribute("data-tally-copied")).toBe("");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await referralUrlOf(ADA.id));
    expect(await panel(page).locator("[data-tally-copy-status]").textContent()).toBe("Link copied");
    const referralUrl = encodeURIComponent(await referralUrlOf(ADA.id));
    const share = await panel(page).locator("a[data-tally-share]").evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href));
    expect(share.map((href) => href.replace(/[?].*/, ""))).toEqual(["mailto:", "https://x.com/intent/tweet", "https://www.facebook.com/sharer/sharer.php", "https://wa.me/"]);
    for (const href of share) expect(href).toContain(referralUrl);
  });

  it("works with the keyboard alone: Tab to the launcher, Enter, focus trapped, Esc returns focus", async () => {
    const { page } = await visit(`/?customer=${ADA.id}`);
    const activeIsLauncher = () => page.evaluate(() => document.activeElement?.hasAttribute("data-tally-launcher") ?? false);
    let presses = 0;
    while (!(await activeIsLauncher())) {
      await page.keyboard.press("Tab");
      expect(++presses, "the launcher is reachable with Tab").toBeLessThan(40);
    }
    await page.keyboard.press("Enter");
    await panel(page).waitFor({ state: "visible" });
    const focusInPanel = () => page.evaluate(() => !!document.activeElement?.closest("[data-tally-panel]"));
    expect(await focusInPanel()).toBe(true);
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      expect(await focusInPanel(), `Tab ${i + 1} stays in the dialog`).toBe(true);
    }
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Shift+Tab");
      expect(await focusInPanel(), `Shift+Tab ${i + 1} stays in the dialog`).toBe(true);
    }
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    expect(await activeIsLauncher()).toBe(true);
    expect(await launcher(page).getAttribute("aria-expanded")).toBe("false");

    await page.keyboard.press("Enter");
    await panel(page).waitFor({ state: "visible" });
    await panel(page).locator("[data-tally-close]").press("Enter");
    await panel(page).waitFor({ state: "hidden" });
    expect(await activeIsLauncher()).toBe(true);
  });

  it("fits a 320 × 640 screen", async () => {
    const { page } = await visit(`/?customer=${ADA.id}`, { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    const box = await launcher(page).boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    expect(box!.y + box!.height).toBeLessThanOrEqual(640);
    await page.screenshot({ path: screenshotPath("widget-mobile-closed") });
    await launcher(page).tap();
    await panel(page).waitFor({ state: "visible" });
    await settled(page);
    const sheet = await panel(page).boundingBox();
    expect(sheet!.x).toBe(0);
    expect(sheet!.width).toBe(320);
    expect(sheet!.y + sheet!.height).toBeLessThanOrEqual(640);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const overflowing = await panel(page).evaluate((node) =>
      [...node.querySelectorAll("*")].filter((child) => child.getBoundingClientRect().right > 320.5).map((child) => child.className),
    );
    expect(overflowing).toEqual([]);
    await page.screenshot({ path: screenshotPath("widget-mobile-open") });
  });

  it("keeps the Liquid values and offers a quiet retry when the proxy fails, then recovers", async () => {
    const { page, errors } = await visit(`/?customer=${ADA.id}`);
    await page.route(`**${PROXY}**`, (route) => route.fulfill({ status: 500, contentType: "text/html", body: "<h1>Internal error</h1>" }));
    await openLauncher(page);
    const retry = panel(page).locator("[data-tally-retry]");
    await retry.waitFor({ state: "visible" });
    expect(await panel(page).locator("[data-tally-status-text]").innerText()).toBe("Couldn't load your latest points.");
    expect(await inPanel(page, "balance").innerText()).toBe("150");
    expect(await inPanel(page, "tier-next").innerText()).toBe("350 points to Gold");
    await page.screenshot({ path: screenshotPath("widget-proxy-error") });

    await page.unroute(`**${PROXY}**`);
    await page.route(`**${PROXY}**`, (route) => route.abort("connectionrefused"));
    await retry.click();
    await expect.poll(() => panel(page).locator("[data-tally-status-text]").innerText()).toBe("Couldn't load your latest points.");
    await retry.waitFor({ state: "visible" });

    await page.unroute(`**${PROXY}**`);
    const refreshed = proxyResponse(page);
    await retry.click();
    expect((await refreshed).status()).toBe(200);
    await retry.waitFor({ state: "hidden" });
    expect(await panel(page).locator("[data-tally-status-text]").innerText()).toBe("");
    expect(await focusInside(page)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("shows no empty referral box when the link never came, and the link once it does", async () => {
    const { page } = await visit(`/?customer=${ADA.id}&summary=none`);
    expect(await panel(page).locator("[data-tally-referral]").isHidden()).toBe(true); // the dialog is closed
    await page.route(`**${PROXY}**`, (route) => route.fulfill({ status: 503, body: "" }));
    await openLauncher(page);
    await panel(page).locator("[data-tally-retry]").waitFor({ state: "visible" });
    expect(await panel(page).locator("[data-tally-referral]").isHidden()).toBe(true);

    await page.unroute(`**${PROXY}**`);
    await panel(page).locator("[data-tally-retry]").click();
    await expect.poll(() => inPanel(page, "referral-url").inputValue()).toBe(await referralUrlOf(ADA.id));
    expect(await panel(page).locator("[data-tally-referral]").isVisible()).toBe(true);
  });

  it("gives up on a proxy that does not answer within 8 seconds, quietly", async () => {
    const { page, errors } = await visit(`/?customer=${ADA.id}`);
    await page.route(`**${PROXY}**`, () => {
      // never answered
    });
    await openLauncher(page);
    await panel(page).locator("[data-tally-retry]").waitFor({ state: "visible", timeout: 12_000 });
    expect(await inPanel(page, "balance").innerText()).toBe("150");
    expect(errors).toEqual([]);
  }, 20_000);

  it("has no serious or critical accessibility violations (axe)", async () => {
    const pages = [
      { name: "member dialog", path: `/?customer=${ADA.id}`, open: true },
      { name: "visitor dialog", path: "/?customer=", open: true },
      { name: "inline block", path: `/pages/rewards?customer=${KATHERINE.id}`, open: false },
      { name: "mobile dialog", path: `/?customer=${GRACE.id}`, open: true, viewport: { width: 320, height: 640 } },
    ];
    for (const target of pages) {
      const { page } = await visit(target.path, target.viewport ? { viewport: target.viewport } : {});
      if (target.open) await openLauncher(page);
      const results = await new AxeBuilder({ page }).include("[data-tally-root]").analyze();
      const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
      expect(
        serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`),
        target.name,
      ).toEqual([]);
    }
  });

  it("shows the top tier without progress", async () => {
    const { page } = await visit(`/?customer=${KATHERINE.id}`);
    await openLauncher(page);
    await expect.poll(() => inPanel(page, "tier-name").innerText()).toBe("Gold member");
    expect(await inPanel(page, "tier-next").innerText()).toBe("You've reached the top tier");
    expect(await panel(page).locator('[role="progressbar"]').isHidden()).toBe(true);
    expect(await panel(page).locator(".tally-reward--ready").count()).toBe(1);
  });

  it("shows a visitor the program and where to sign in, without asking the app anything", async () => {
    const { page, requests } = await visit("/?customer=");
    await openLauncher(page);
    const text = await panel(page).innerText();
    expect(text).toContain("Join Rewards");
    expect(text).toContain("1 point for every $1.00 spent");
    expect(await panel(page).getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/account/login");
    expect(await panel(page).getByRole("link", { name: "Create account" }).getAttribute("href")).toBe("/account/register");
    await page.screenshot({ path: screenshotPath("widget-dialog-visitor") });
    await page.waitForLoadState("networkidle");
    expect(requests.filter((url) => url.includes(PROXY))).toEqual([]);
  });

  it("renders the app block inline on a Rewards page, and hydrates it without moving anything", async () => {
    const { page, moved } = await acrossHydration(`/pages/rewards?customer=${ADA.id}`);
    const inline = page.locator('[data-tally-mode="inline"]');
    expect(await inline.locator('[data-tally-field="balance"]').innerText()).toBe("150");
    expect(await inline.locator('[data-tally-field="tier-next"]').innerText()).toBe("350 points to Gold");
    expect(moved).toEqual([]);
    await inline.screenshot({ path: screenshotPath("widget-inline-block") });
  });

  it("keeps the app block's place while it waits for a member's points: nothing moves up or down", async () => {
    // No metafield yet (a customer the app has not written one for): the skeleton holds the
    // lines the member's points, tier and referral link will take. Only the balance's width
    // is unknown until the answer comes, so the words beside it may move sideways.
    const { page, movedUpOrDown } = await acrossHydration(`/pages/rewards?customer=${ADA.id}&summary=none`);
    expect(await page.locator('[data-tally-mode="inline"] [data-tally-field="tier-next"]').innerText()).toBe("350 points to Gold");
    expect(movedUpOrDown).toEqual([]);
  });

  it("never shows the launcher unstyled: the page paints first, the launcher with its stylesheet", async () => {
    const { page } = await openPage();
    const stylesheet = await holdRequests(page, "**/tally-widget.css*");
    await page.goto(`${scenario.storefront.url}/?customer=${ADA.id}`, { waitUntil: "commit" });
    await page.locator("h1").waitFor();
    // The stylesheet is linked at the end of <body>: what precedes it renders, the launcher waits.
    const unstyled = await page.evaluate(() => {
      const launcher = document.querySelector("[data-tally-launcher]");
      return launcher !== null && getComputedStyle(launcher).position !== "fixed";
    });
    expect(unstyled).toBe(false);
    stylesheet.release();
    await launcher(page).waitFor();
    expect(await launcher(page).evaluate((node) => getComputedStyle(node).position)).toBe("fixed");
  });

  it("moves nothing on the page: no layout shift from the embed or from hydration", async () => {
    // The embed: the theme's page lays out exactly as it does without it.
    const withEmbed = await visit(`/?customer=${ALAN.id}`);
    const withoutEmbed = await visit(`/?customer=${ALAN.id}&embed=0`);
    const pageBoxes = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll("header *, main *, footer"), (node) => JSON.stringify(node.getBoundingClientRect())));
    expect(await pageBoxes(withEmbed.page)).toEqual(await pageBoxes(withoutEmbed.page));

    // Hydration, from the skeleton (no metafields), with the dialog opened and closed meanwhile.
    const { moved } = await acrossHydration(`/?customer=${ALAN.id}&summary=none`, async (page) => {
      await launcher(page).click();
      await panel(page).waitFor({ state: "visible" });
    });
    expect(moved).toEqual([]);
  });

  it("keeps the redeem path for later, off unless the root says data-tally-redeem=\"on\"", async () => {
    const { page } = await visit(`/?customer=${KATHERINE.id}`);
    await openLauncher(page);
    expect(await page.locator("[data-tally-redeem-button]").count()).toBe(0);

    // What the extension will render once POST /apps/tally/redeem exists.
    await page.route(`${scenario.storefront.url}/?customer=${KATHERINE.id}&redeem=on`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text())
        .replace('data-tally-mode="dialog"', 'data-tally-mode="dialog" data-tally-redeem="on"')
        .replace('"strings": {', '"strings": { "redeem": "Redeem", "redeemed": "Your discount code: {code}", "redeemFailed": "Couldn\'t redeem this reward.",');
      await route.fulfill({ response, body: html, headers: { ...response.headers(), "content-encoding": "identity" } });
    });
    let requested: unknown = null;
    await page.route(`**${PROXY}redeem`, async (route) => {
      requested = route.request().postDataJSON();
      await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ code: "TALLY-5OFF-K7Q" }) });
    });
    await page.goto(`${scenario.storefront.url}/?customer=${KATHERINE.id}&redeem=on`);
    await openLauncher(page);
    const redeem = panel(page).locator("[data-tally-redeem-button]");
    await redeem.click();
    await expect.poll(() => panel(page).locator("[data-tally-reward-state]").innerText()).toBe("Your discount code: TALLY-5OFF-K7Q");
    expect(requested).toEqual({ rewardId: expect.any(Number) });
    expect(await redeem.count()).toBe(0);
  });

  it("hydrates a block the theme editor re-renders", async () => {
    const { page } = await visit(`/?customer=${ADA.id}`);
    await page.evaluate(() => {
      // What the editor does after a settings change: fresh markup, then shopify:section:load.
      const root = document.querySelector("[data-tally-root]")!;
      const fresh = root.cloneNode(true) as Element;
      fresh.removeAttribute("data-tally-mounted");
      root.replaceWith(fresh);
      document.dispatchEvent(new CustomEvent("shopify:section:load", { bubbles: true }));
    });
    await openLauncher(page);
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
  });

  it("keeps a ?ref= code and puts it on the cart once, and again only when it changes", async () => {
    const updates = () => scenario.storefront.carts.updates.length;
    const before = updates();
    const { page } = await visit("/?customer=&ref=abcd2345");
    await expect.poll(updates).toBe(before + 1);
    expect(scenario.storefront.carts.updates.at(-1)!.attributes).toEqual({ tally_referral: "ABCD2345" });
    const cart = await page.evaluate(() => fetch("/cart.js").then((response) => response.json()));
    expect(cart.attributes).toEqual({ tally_referral: "ABCD2345" });
    expect(await page.evaluate(() => localStorage.getItem("tally:referral"))).toBe("ABCD2345");

    await page.goto(`${scenario.storefront.url}/?ref=ABCD2345`);
    await page.goto(`${scenario.storefront.url}/pages/rewards`);
    await page.waitForLoadState("networkidle");
    expect(updates()).toBe(before + 1);

    await page.goto(`${scenario.storefront.url}/?ref=ZZZZ9999`);
    await expect.poll(updates).toBe(before + 2);
    expect(scenario.storefront.carts.updates.at(-1)!.attributes).toEqual({ tally_referral: "ZZZZ9999" });

    const stranger = await visit(`/?ref=${encodeURIComponent("<script>")}`);
    await stranger.page.waitForLoadState("networkidle");
    expect(updates()).toBe(before + 2);
    expect(await stranger.page.evaluate(() => localStorage.getItem("tally:referral"))).toBeNull();
  });

  it("adds one global, window.Tally, and requests nothing from another origin", async () => {
    const globals = async (path: string) => {
      const { page } = await visit(path);
      await page.waitForLoadState("networkidle");
      return page.evaluate(() => Object.keys(window));
    };
    const without = new Set(await globals("/?customer=&embed=0"));
    const added = (await globals("/pages/rewards?customer=")).filter((key) => !without.has(key));
    expect(added).toEqual(["Tally"]);

    const { page, requests } = await visit(`/pages/rewards?customer=${ADA.id}`);
    await openLauncher(page);
    await page.waitForLoadState("networkidle");
    const origin = new URL(scenario.storefront.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });

  it("moves only when the shopper has not asked for reduced motion", async () => {
    const animation = async (reducedMotion: "reduce" | "no-preference") => {
      const { page } = await visit(`/?customer=${ADA.id}`, { reducedMotion });
      await openLauncher(page);
      return panel(page).evaluate((node) => getComputedStyle(node).animationName);
    };
    expect(await animation("reduce")).toBe("none");
    expect(await animation("no-preference")).toBe("tally-in");
  });

  it("speaks the storefront's language, through the locale's proxy path", async () => {
    const { page } = await visit(`/fr?customer=${ADA.id}&summary=none`);
    const refreshed = proxyResponse(page);
    await openLauncher(page);
    expect(new URL((await refreshed).url()).pathname).toBe("/fr/apps/tally/customer");
    await expect.poll(() => inPanel(page, "tier-next").innerText()).toBe("Plus que 350 points avant Gold");
    expect(await inPanel(page, "tier-name").innerText()).toBe("Membre Silver");
    expect(await inPanel(page, "balance-label").innerText()).toBe("points");
    expect(await launcher(page).innerText()).toMatch(/Récompenses/);
  });

  it("renders shopper and merchant strings as text, on first paint and after hydration", async () => {
    const shop = "widget-evil.myshopify.com";
    const customerId = 8_200_000_001;
    await scenario.deliver("customers/create", customerCreatePayload({ id: customerId, firstName: XSS }), shop);
    await scenario.db.reward.create({ data: { shopDomain: shop, title: XSS, kind: "fixed_amount", costPoints: 10, amountMinor: 100 } });
    await scenario.db.tier.create({ data: { shopDomain: shop, name: XSS, thresholdPoints: 1 } });
    await scenario.deliver("orders/paid", orderPayload({ id: newOrderId(), customer: { id: customerId }, lines: [{ price: "20.00" }] }), shop);
    const storefront = await scenario.storefrontFor(shop);

    for (const path of [`/?customer=${customerId}`, `/?customer=${customerId}&summary=none&program=none`]) {
      const { page, errors } = await visit(path, {}, storefront.url);
      let dialogs = 0;
      page.on("dialog", (dialog) => {
        dialogs++;
        void dialog.dismiss();
      });
      const refreshed = proxyResponse(page);
      await openLauncher(page);
      await refreshed;
      await expect.poll(() => panel(page).innerText()).toContain(`${XSS} member`);
      const text = await panel(page).innerText();
      expect(text).toContain(`Hi ${XSS}`);
      expect(text).toContain(XSS);
      expect(await page.locator("[data-tally-root] img").count()).toBe(0);
      expect(dialogs).toBe(0);
      expect(errors).toEqual([]);
    }
  });

  // Last: it stops the app.
  it("keeps working when the app is down", async () => {
    const { page, errors } = await visit(`/pages/rewards?customer=${ADA.id}`);
    await page.waitForResponse((response) => response.url().includes(PROXY));
    await scenario.app.stop();
    // The storefront's proxy now answers 502, as Shopify's does for an app that is down.
    await page.evaluate(() => window.Tally!.refresh());
    const inline = page.locator('[data-tally-mode="inline"]');
    await inline.locator("[data-tally-retry]").waitFor({ state: "visible" });
    expect(await inline.locator('[data-tally-field="balance"]').innerText()).toBe("150");
    expect(await inline.locator("[data-tally-status-text]").innerText()).toBe("Couldn't load your latest points.");
    expect(errors).toEqual([]);
  });
});

async function focusInside(page: Page): Promise<boolean> {
  return page.evaluate(() => !!document.activeElement?.closest("[data-tally-root]"));
}
