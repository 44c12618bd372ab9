// The widget as shoppers meet it: Chromium on the local storefront, the production app behind
// the app proxy, points created by signed webhooks. Needs `npm run build` (like test/e2e).
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceOf, memberOf } from "../support/ledger-queries";
import { DESKTOP_USER_AGENT, launchChromium, screenshotPath } from "../../dev/simulator/browser";
import { customerCreatePayload, orderPayload } from "../../dev/simulator/shopify-payloads";
import { ADA, ALAN, GRACE, KATHERINE, newOrderId, startWidgetScenario, WIDGET_SHOP, type WidgetScenario } from "../../dev/simulator/storefront/scenario";
import type { RedeemMember, RedeemResponse } from "../../widget/contract";
import { CODE_REDEMPTION, POINTS_FOR_CASH, STORE_CREDIT_REDEMPTION, XSS } from "./fixtures";
import { seriousViolations } from "../support/axe";
import { saveEarningAction } from "~/loyalty/earning-actions.server";
import { parseProgram } from "~/loyalty/program";
import { programSettingsOf, saveProgramSettings } from "~/loyalty/program-settings.server";
import { saveTier } from "~/loyalty/tier-settings.server";

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

  /**
   * A page whose painted summary is outdated for this browser: it has seen a newer answer of the
   * app (a redemption in another tab, say) than the metafield holds, so the widget asks the app
   * at once. `before` runs before the page loads (routes).
   */
  async function visitOutdated(path: string, before?: (page: Page) => Promise<unknown>, base = scenario.storefront.url): Promise<Visit> {
    const opened = await openPage();
    await markOutdated(opened.context);
    await before?.(opened.page);
    await opened.page.goto(`${base}${path}`);
    return opened;
  }

  /** This browser has seen a newer answer of the app than any summary the pages will paint. */
  function markOutdated(context: BrowserContext) {
    return context.addInitScript(() => {
      const customer = new URLSearchParams(location.search).get("customer");
      if (customer) localStorage.setItem(`tally:summary-version:${customer}`, String(Number.MAX_SAFE_INTEGER));
    });
  }

  const proxyRequests = (requests: readonly string[]) => requests.filter((url) => new URL(url).pathname.startsWith(PROXY));

  /** Holds back the page's requests for `url` until release(); `asked` settles when the first one is made. */
  async function holdRequests(page: Page, url: string, answer: (route: Route) => Promise<void> = (route) => route.continue()) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let ask = () => {};
    const asked = new Promise<void>((resolve) => (ask = resolve));
    await page.route(url, async (route) => {
      ask();
      await released;
      await answer(route);
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
  async function acrossHydration(path: string, whileHeld?: (page: Page) => Promise<void>, answer?: (route: Route) => Promise<void>, outdated = false) {
    const { page, context } = await openPage();
    if (outdated) await markOutdated(context);
    const proxy = await holdRequests(page, `**${PROXY}**`, answer);
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
    await openLauncher(page);
    expect(await launcher(page).getAttribute("aria-expanded")).toBe("true");

    expect(await inPanel(page, "balance").innerText()).toBe(String(ledgerBalance));
    expect(await inPanel(page, "tier-name").innerText()).toBe("Silver member");
    expect(await inPanel(page, "tier-next").innerText()).toBe("350 points to Gold");
    expect(await panel(page).locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("30");
    expect(await panel(page).getByText("Hi Ada").count()).toBe(1);
    await page.screenshot({ path: screenshotPath("widget-dialog-member") });
    expect(errors).toEqual([]);
  });

  it("asks the app nothing for page views with a current summary, and once per view without one", async () => {
    // Several page views of a signed-in shopper, the dialog opened on each: all painted from
    // the summary the app keeps in the customer metafield.
    const { page, requests } = await openPage();
    for (const path of [`/?customer=${ADA.id}`, `/pages/rewards?customer=${ADA.id}`, `/?customer=${ADA.id}`]) {
      await page.goto(`${scenario.storefront.url}${path}`);
      await openLauncher(page);
      expect(await inPanel(page, "balance").innerText()).toBe("150");
      await page.waitForLoadState("networkidle");
    }
    expect(proxyRequests(requests)).toEqual([]);

    // Without the metafield (the app has not written it yet): one request per page view.
    const without = await openPage();
    for (const path of [`/?customer=${ADA.id}&summary=none`, `/pages/rewards?customer=${ADA.id}&summary=none`]) {
      await without.page.goto(`${scenario.storefront.url}${path}`);
      await openLauncher(without.page);
      await expect.poll(() => inPanel(without.page, "balance").innerText()).toBe("150");
      await without.page.waitForLoadState("networkidle");
    }
    expect(proxyRequests(without.requests).map((url) => new URL(url).pathname)).toEqual([`${PROXY}customer`, `${PROXY}customer`]);
  });

  it("replaces an outdated first paint with what the app proxy says now", async () => {
    // The page paints 120 from the metafield; the browser knows of a newer answer, so it asks
    // the app, which has meanwhile credited an order.
    let proxy!: Awaited<ReturnType<typeof holdRequests>>;
    const { page, requests } = await visitOutdated(`/?customer=${ALAN.id}`, async (held) => {
      proxy = await holdRequests(held, `**${PROXY}**`);
    });
    expect(await inPanel(page, "balance").textContent()).toBe("120");
    await proxy.asked;
    await scenario.deliver("orders/paid", orderPayload({ id: newOrderId(), customer: { id: ALAN.id }, lines: [{ price: "25.00" }] }));
    // The tier recalculation (a job, right after the delivery) moves the progress shown.
    await expect.poll(async () => (await memberOf(scenario.db, ALAN.id, WIDGET_SHOP))?.tierActivity).toBe(145n);
    proxy.release();

    await expect.poll(() => launcher(page).innerText()).toMatch(/145/);
    await openLauncher(page);
    expect(await inPanel(page, "balance").innerText()).toBe("145");
    expect(await inPanel(page, "tier-next").innerText()).toBe("355 points to Gold");
    expect(await balanceOf(scenario.db, ALAN.id, WIDGET_SHOP)).toBe(145);
    expect(proxyRequests(requests)).toHaveLength(1);

    // The next page view paints the summary the app wrote: current, nothing asked.
    const next = await visit(`/?customer=${ALAN.id}`);
    await openLauncher(next.page);
    expect(await inPanel(next.page, "balance").innerText()).toBe("145");
    await next.page.waitForLoadState("networkidle");
    expect(proxyRequests(next.requests)).toEqual([]);
  });

  it("fills the skeleton when the metafields are missing", async () => {
    // Hold the proxy's answer to see the skeleton the shopper sees meanwhile.
    const { page } = await openPage();
    const proxy = await holdRequests(page, `**${PROXY}**`);
    await page.goto(`${scenario.storefront.url}/?customer=${ADA.id}&summary=none&program=none`);
    expect(await launcher(page).innerText()).not.toMatch(/\d/);
    expect(await panel(page).locator("[data-tally-member]").getAttribute("aria-busy")).toBe("true");
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
    await launcher(page).waitFor(); // shown once its stylesheet and script are here, after the page's largest paint
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
    const { page, errors } = await visitOutdated(`/?customer=${ADA.id}`, (held) =>
      held.route(`**${PROXY}**`, (route) => route.fulfill({ status: 500, contentType: "text/html", body: "<h1>Internal error</h1>" })),
    );
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
    const { page } = await openPage();
    await page.route(`**${PROXY}**`, (route) => route.fulfill({ status: 503, body: "" }));
    await page.goto(`${scenario.storefront.url}/?customer=${ADA.id}&summary=none`);
    expect(await panel(page).locator("[data-tally-referral]").isHidden()).toBe(true); // the dialog is closed
    await openLauncher(page);
    await panel(page).locator("[data-tally-retry]").waitFor({ state: "visible" });
    expect(await panel(page).locator("[data-tally-referral]").isHidden()).toBe(true);

    await page.unroute(`**${PROXY}**`);
    await panel(page).locator("[data-tally-retry]").click();
    await expect.poll(() => inPanel(page, "referral-url").inputValue()).toBe(await referralUrlOf(ADA.id));
    expect(await panel(page).locator("[data-tally-referral]").isVisible()).toBe(true);
  });

  it("gives up on a proxy that does not answer within 8 seconds, quietly", async () => {
    const { page, errors } = await visitOutdated(`/?customer=${ADA.id}`, (held) =>
      held.route(`**${PROXY}**`, () => {
        // never answered
      }),
    );
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
      expect(seriousViolations(results.violations), target.name).toEqual([]);
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

  it("wears the texts and colours set in Tally's admin, from the program metafield and from the proxy", async () => {
    const { programSettingsOf, saveProgramSettings } = await import("~/loyalty/program-settings.server");
    const { DEFAULT_PROGRAM } = await import("~/loyalty/program");
    const look = { heading: "Club Rewards", launcherLabel: "Our club", accentColor: "#0a7e3b", accentTextColor: "#ffffff", backgroundColor: null, textColor: "#111111" };
    const save = (appearance: typeof look | typeof DEFAULT_PROGRAM.appearance) =>
      saveProgramSettings(scenario.db, WIDGET_SHOP, { ...programSettingsOf(DEFAULT_PROGRAM), appearance }, { actor: "test" });
    // Saved as the admin saves it, in this process: the app's workers see the new version at once.
    expect((await save(look)).ok).toBe(true);
    try {
      const accentOf = (page: Page) => page.locator("[data-tally-root]").first().evaluate((node) => getComputedStyle(node).getPropertyValue("--tally-accent").trim());
      // From the metafield, by Liquid.
      const rendered = await visit("/?customer=");
      expect(await launcher(rendered.page).innerText()).toContain("Our club");
      expect(await accentOf(rendered.page)).toBe("#0a7e3b");
      await openLauncher(rendered.page);
      expect(await panel(rendered.page).locator(".tally-title").innerText()).toBe("Club Rewards");
      await rendered.page.screenshot({ path: screenshotPath("widget-admin-appearance") });
      // Without the metafield: Liquid paints the theme's, the script applies the proxy's program.
      const hydrated = await visit("/?customer=&program=none");
      expect(await launcher(hydrated.page).innerText()).not.toContain("Our club");
      await openLauncher(hydrated.page);
      await expect.poll(() => launcher(hydrated.page).innerText()).toContain("Our club");
      expect(await accentOf(hydrated.page)).toBe("#0a7e3b");
      expect(await panel(hydrated.page).locator(".tally-title").innerText()).toBe("Club Rewards");
      expect(hydrated.errors).toEqual([]);
    } finally {
      expect((await save(DEFAULT_PROGRAM.appearance)).ok).toBe(true);
    }
  });

  it("renders the app block inline on a Rewards page, and hydrates it without moving anything", async () => {
    const { page, moved } = await acrossHydration(`/pages/rewards?customer=${ADA.id}`, undefined, undefined, true);
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

  it("asks for nothing of the widget before the page's largest paint, and shows the launcher only styled and working", async () => {
    const { page } = await openPage();
    const stylesheet = await holdRequests(page, "**/tally-widget.css*");
    await page.goto(`${scenario.storefront.url}/?customer=${ADA.id}`);
    await stylesheet.asked;
    await page.waitForFunction(() => !!window.Tally);
    // The script has mounted the embed; without its stylesheet the launcher stays hidden.
    expect(await launcher(page).isVisible()).toBe(false);
    stylesheet.release();
    await launcher(page).waitFor();
    expect(await launcher(page).evaluate((node) => getComputedStyle(node).position)).toBe("fixed");

    // Both assets were requested after the load event and after the largest paint.
    const order = await page.evaluate(async () => {
      const largest = await new Promise<PerformanceEntry>((resolve) =>
        new PerformanceObserver((list) => resolve(list.getEntries().at(-1)!)).observe({ type: "largest-contentful-paint", buffered: true }),
      );
      const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
      const assets = performance.getEntriesByType("resource").filter((entry) => /tally-widget\.(js|css)/.test(entry.name));
      return { largestPaint: largest.startTime, load: navigation.loadEventStart, assets: assets.map((entry) => ({ name: entry.name, start: entry.startTime })) };
    });
    expect(order.assets).toHaveLength(2);
    for (const asset of order.assets) {
      expect(asset.start, asset.name).toBeGreaterThanOrEqual(order.load);
      expect(asset.start, asset.name).toBeGreaterThanOrEqual(order.largestPaint);
    }
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

  describe("redeeming points", () => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, contentType: "application/json", headers, body: JSON.stringify(body) });
    /** The member as the app serves it now, for answers made up in the test. */
    const currentMember = async (page: Page): Promise<RedeemMember> =>
      (await page.evaluate((proxy) => fetch(`${proxy}customer`, { credentials: "same-origin" }).then((response) => response.json()), PROXY)).member;
    const reward = (page: Page, title = "5.00 off your order") => panel(page).locator("[data-tally-reward]", { hasText: title });
    const isFocused = (locator: Locator) => locator.evaluate((node) => node === document.activeElement);
    /** Opens the dialog and the confirmation of the reward, with the keyboard. */
    async function confirmation(page: Page, title?: string) {
      await openLauncher(page);
      const item = reward(page, title);
      await item.locator("[data-tally-redeem-button]").focus();
      await page.keyboard.press("Enter");
      const confirm = item.getByRole("button", { name: "Confirm" });
      await confirm.waitFor();
      return { item, confirm };
    }

    it("shows the code with Copy and Apply to cart, and the balance the answer brings", async () => {
      const { page, context, errors } = await visit(`/?customer=${KATHERINE.id}`);
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: scenario.storefront.url });
      const member = await currentMember(page);
      expect(member.balance).toBe(640);
      const posted: { path: string; method: string; type: string | undefined; body: unknown }[] = [];
      await page.route(`**${PROXY}redeem`, async (route) => {
        const request = route.request();
        posted.push({ path: new URL(request.url()).pathname, method: request.method(), type: request.headers()["content-type"], body: request.postDataJSON() });
        await route.fulfill(json(200, { version: 1, redemption: CODE_REDEMPTION, member: { ...member, balance: 140, redemptions: [CODE_REDEMPTION] } }));
      });

      const { item, confirm } = await confirmation(page);
      expect(await isFocused(confirm)).toBe(true);
      const asked = await item.locator("[data-tally-redeem-panel]").innerText();
      expect(asked).toContain("Redeem 5.00 off your order for 500 points?");
      expect(asked).toContain("Balance after: 140 points");
      await page.screenshot({ path: screenshotPath("widget-redeem-confirm") });
      await page.keyboard.press("Enter");

      const code = item.getByLabel("Your discount code");
      await expect.poll(() => code.inputValue()).toBe(CODE_REDEMPTION.code);
      expect(await isFocused(code)).toBe(true);
      expect(await item.locator("[data-tally-redeem-panel] > [role=status]").innerText()).toBe("Reward redeemed.");
      expect(await item.getByRole("link", { name: "Apply to cart" }).getAttribute("href")).toBe(`/discount/${CODE_REDEMPTION.code}`);
      expect(await item.innerText()).toContain("Use by 2/28/2027");
      expect(posted).toEqual([{ path: "/apps/tally/redeem", method: "POST", type: "application/json", body: { rewardId: Number(await item.getAttribute("data-tally-reward")) } }]);
      // The balance and the rewards from the answer: no other request.
      expect(await inPanel(page, "balance").innerText()).toBe("140");
      expect(await launcher(page).innerText()).toMatch(/140/);
      expect(await item.locator("[data-tally-redeem-button]").isHidden()).toBe(true);
      expect(await item.innerText()).toContain("360 more points to go");
      expect(await inPanel(page, "wallet-count").innerText()).toBe("1");
      await page.screenshot({ path: screenshotPath("widget-redeem-code") });

      await item.getByRole("button", { name: "Copy code" }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(CODE_REDEMPTION.code);
      expect(await item.getByRole("button", { name: "Code copied" }).count()).toBe(1);

      await panel(page).locator(".tally-wallet summary").click();
      const wallet = panel(page).locator("[data-tally-wallet]");
      expect(await wallet.getByLabel(CODE_REDEMPTION.title).inputValue()).toBe(CODE_REDEMPTION.code);

      await item.getByRole("link", { name: "Apply to cart" }).click();
      await page.waitForURL(`${scenario.storefront.url}/`);
      const cart = await page.evaluate(() => fetch("/cart.js").then((response) => response.json()));
      expect(cart.discount_codes).toEqual([{ code: CODE_REDEMPTION.code, applicable: true }]);
      expect(errors).toEqual([]);
    });

    it("applies a code on the storefront's locale path, whatever the code holds", async () => {
      const { page } = await visit(`/fr?customer=${KATHERINE.id}`);
      const member = await currentMember(page);
      const code = "TALLY 5/OFF?&";
      let path = "";
      await page.route(`**${PROXY}redeem`, async (route) => {
        path = new URL(route.request().url()).pathname;
        await route.fulfill(json(200, { version: 1, redemption: { ...CODE_REDEMPTION, code }, member: { ...member, redemptions: [] } }));
      });
      const { item, confirm } = await confirmation(page, "5.00 off your order");
      expect(await confirm.innerText()).toBe("Confirmer");
      await confirm.click();
      const apply = item.getByRole("link", { name: "Appliquer au panier" });
      await apply.waitFor();
      expect(path).toBe("/fr/apps/tally/redeem");
      expect(await apply.getAttribute("href")).toBe("/fr/discount/TALLY%205%2FOFF%3F%26");
      await apply.click();
      await page.waitForURL(`${scenario.storefront.url}/fr`);
      const cart = await page.evaluate(() => fetch("/cart.js").then((response) => response.json()));
      expect(cart.discount_codes).toEqual([{ code, applicable: true }]);
    });

    it("says a store credit is credited, and a pending reward is on its way", async () => {
      const { page } = await visit(`/?customer=${KATHERINE.id}`);
      const member = await currentMember(page);
      const cases = [
        { status: 200, redemption: STORE_CREDIT_REDEMPTION, says: "$10.00 credited to your account" },
        {
          status: 202,
          redemption: { ...CODE_REDEMPTION, status: "pending", code: null },
          says: "Your reward is on its way and will show in “Your rewards” shortly. The points are already spent.",
        },
      ];
      await openLauncher(page);
      for (const { status, redemption, says } of cases) {
        await page.unroute(`**${PROXY}redeem`);
        await page.route(`**${PROXY}redeem`, (route) => route.fulfill(json(status, { version: 1, redemption, member: { ...member, balance: 600, redemptions: [] } })));
        const item = reward(page);
        await item.locator("[data-tally-redeem-button]").click();
        await item.getByRole("button", { name: "Confirm" }).click();
        const message = item.getByText(says);
        await message.waitFor();
        expect(await isFocused(message), says).toBe(true);
        expect(await item.locator("[data-tally-redeem-panel] > [role=status]").innerText()).toBe("Reward redeemed.");
        expect(await item.getByRole("textbox").count()).toBe(0);
        expect(await inPanel(page, "balance").innerText()).toBe("600");
      }
    });

    it("shows pending points next to redemption, a reward on its way apart from them", async () => {
      // Member and redeem strings both have a "pending"; each must reach its own use.
      const { page, errors } = await visitOutdated(`/?customer=${KATHERINE.id}`, (page) =>
        page.route(`**${PROXY}customer`, async (route) => {
          const response = await route.fetch();
          const body = await response.json();
          await route.fulfill({ response, json: { ...body, member: { ...body.member, pendingBalance: 25 } } });
        }),
      );
      await openLauncher(page);
      await expect.poll(() => inPanel(page, "pending").innerText()).toBe("+25 points pending");
      await page.route(`**${PROXY}redeem`, async (route) =>
        route.fulfill(json(202, { version: 1, redemption: { ...CODE_REDEMPTION, status: "pending", code: null }, member: { ...(await currentMember(page)), pendingBalance: 25, redemptions: [] } })),
      );
      const item = reward(page);
      await item.locator("[data-tally-redeem-button]").click();
      await item.getByRole("button", { name: "Confirm" }).click();
      await item.getByText("Your reward is on its way and will show in “Your rewards” shortly. The points are already spent.").waitFor();
      expect(await inPanel(page, "pending").innerText()).toBe("+25 points pending");
      expect(errors).toEqual([]);
    });

    it("explains each refusal, keeps the confirmation open, and only a shown answer changes anything", async () => {
      const { page, errors } = await visit(`/?customer=${KATHERINE.id}`);
      const failure = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { error: { code, message: `${code} (the app's words)` } }, headers);
      const cases: { name: string; answer: Parameters<Route["fulfill"]>[0] | "abort"; says: string }[] = [
        { name: "409", answer: failure(409, "not_enough_points"), says: "You don't have enough points for this reward." },
        { name: "422", answer: failure(422, "reward_unavailable"), says: "This reward isn't available to you right now." },
        { name: "404", answer: failure(404, "unknown_reward"), says: "This reward isn't available to you right now." },
        { name: "429", answer: failure(429, "too_many_redeems", { "Retry-After": "30" }), says: "Too many tries. Please wait 30 seconds and try again." },
        { name: "429 without Retry-After", answer: failure(429, "too_many_redeems"), says: "Too many tries. Please wait 60 seconds and try again." },
        { name: "502", answer: failure(502, "shopify_failed"), says: "Shopify couldn't create your reward. Your points are back, please try again." },
        { name: "503", answer: failure(503, "shopify_unavailable"), says: "Shopify couldn't create your reward. Your points are back, please try again." },
        { name: "401", answer: failure(401, "invalid_signature"), says: "Couldn't redeem this reward. Please try again." },
        { name: "400", answer: failure(400, "not_signed_in"), says: "Couldn't redeem this reward. Please try again." },
        // Shopify's error page for an app that is down: no word on the points.
        { name: "proxy's HTML 502", answer: { status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" }, says: "Couldn't redeem this reward. Please try again." },
        { name: "200 that is not the contract", answer: json(200, { code: "X" }), says: "Couldn't redeem this reward. Please try again." },
        { name: "no answer", answer: "abort", says: "Couldn't redeem this reward. Please try again." },
      ];
      const { item, confirm } = await confirmation(page);
      const status = item.locator("[data-tally-redeem-panel] > [role=status]");
      let customerRequests = 0;
      page.on("request", (request) => void (request.url().includes(`${PROXY}customer`) && customerRequests++));
      for (const { name, answer, says } of cases) {
        await page.unroute(`**${PROXY}redeem`);
        await page.route(`**${PROXY}redeem`, (route) => (answer === "abort" ? route.abort("connectionrefused") : route.fulfill(answer)));
        await confirm.click();
        await expect.poll(() => status.innerText(), { message: name }).toBe(says);
        expect(await isFocused(confirm), name).toBe(true);
        if (name === "429") await page.screenshot({ path: screenshotPath("widget-redeem-error") });
      }
      // A 409 asks the app for the balance again; nothing else did.
      expect(customerRequests).toBe(1);
      expect(await inPanel(page, "balance").innerText()).toBe("640");
      expect(await item.getByRole("textbox").count()).toBe(0);

      await item.getByRole("button", { name: "Cancel" }).click();
      expect(await item.locator("[data-tally-redeem-panel]").count()).toBe(0);
      expect(await isFocused(item.locator("[data-tally-redeem-button]"))).toBe(true);
      expect(errors).toEqual([]);
    });

    it("asks how many points to use for a variable reward, within its range and the balance", async () => {
      const { page } = await openPage();
      // The app's program gains "variable" rewards with POST /redeem; here the answer adds one.
      await page.route(`**${PROXY}customer`, async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.program.rewards.push(POINTS_FOR_CASH);
        await route.fulfill({ response, json: body });
      });
      let posted: unknown = null;
      await page.route(`**${PROXY}redeem`, async (route) => {
        posted = route.request().postDataJSON();
        const member = await currentMember(page);
        await route.fulfill(json(200, { version: 1, redemption: { ...CODE_REDEMPTION, rewardId: 12, title: "Points for cash" }, member: { ...member, balance: 340 } }));
      });
      await page.goto(`${scenario.storefront.url}/?customer=${KATHERINE.id}&program=none`);
      await openLauncher(page);
      const item = reward(page, "Points for cash");
      await item.locator("[data-tally-redeem-button]").waitFor();
      expect(await item.innerText()).toContain("100 points = $1.00");
      expect(await item.innerText()).toContain("On orders of $20.00 or more");
      await item.locator("[data-tally-redeem-button]").click();

      const points = item.getByLabel("Points to use");
      expect(await isFocused(points)).toBe(true);
      expect(await points.evaluate((input: HTMLInputElement) => [input.type, input.min, input.max, input.step, input.value])).toEqual(["number", "200", "600", "100", "200"]);
      const asked = () => item.locator("[data-tally-redeem-panel]").innerText();
      expect(await asked()).toContain("Worth $2.00");
      await points.fill("300");
      expect(await asked()).toContain("Redeem Points for cash for 300 points?");
      expect(await asked()).toContain("Worth $3.00");
      expect(await asked()).toContain("Balance after: 340 points");
      await points.fill("5000");
      expect(await asked()).toContain("Worth $6.00"); // no more than the balance allows
      await points.fill("250");
      await points.press("Tab"); // a value between steps is taken down to one
      expect(await points.inputValue()).toBe("200");
      await page.screenshot({ path: screenshotPath("widget-redeem-variable") });

      await points.fill("300");
      await item.getByRole("button", { name: "Confirm" }).click();
      await item.getByLabel("Your discount code").waitFor();
      expect(posted).toEqual({ rewardId: 12, points: 300 });
      expect(await inPanel(page, "balance").innerText()).toBe("340");
    });

    it("lists the member's unused codes and store credits under Your rewards, and hydrates both without moving anything", async () => {
      // No metafield: the balance is unknown until the proxy answers, so Liquid renders every
      // Redeem button hidden in a row that already has its height; the answer brings enough
      // points for one reward, and two unused rewards.
      const withRewards = async (route: Route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.member.balance = 600;
        body.member.redemptions = [CODE_REDEMPTION, STORE_CREDIT_REDEMPTION];
        await route.fulfill({ response, json: body });
      };
      const { page, moved, movedUpOrDown } = await acrossHydration(`/pages/rewards?customer=${ADA.id}&summary=none`, undefined, withRewards);
      const inline = page.locator('[data-tally-mode="inline"]');
      expect(await inline.locator("[data-tally-redeem-button]").isVisible()).toBe(true);
      expect(movedUpOrDown).toEqual([]);
      // Sideways only the words beside the balance, whose width was unknown (as without redemption).
      expect(moved.filter((line) => !line.startsWith("span.tally-balance__label "))).toEqual([]);
      expect(await inline.locator('[data-tally-field="wallet-count"]').innerText()).toBe("2");
      const wallet = inline.locator("[data-tally-wallet]");
      expect(await wallet.isVisible()).toBe(false);
      await inline.locator(".tally-wallet summary").press("Enter");
      await wallet.waitFor();
      expect(await wallet.getByLabel(CODE_REDEMPTION.title).inputValue()).toBe(CODE_REDEMPTION.code);
      expect(await wallet.getByRole("link", { name: "Apply to cart" }).getAttribute("href")).toBe(`/discount/${CODE_REDEMPTION.code}`);
      expect(await wallet.innerText()).toMatch(/Store credit\s+\$10\.00 credited to your account/);
      await inline.screenshot({ path: screenshotPath("widget-your-rewards") });
    });

    it("shows nothing to redeem to a visitor, nor when the merchant turned it off", async () => {
      const visitor = await visit("/?customer=");
      await openLauncher(visitor.page);
      expect(await panel(visitor.page).locator("[data-tally-redeem-button], [data-tally-wallet]").count()).toBe(0);
      const off = await visit(`/?customer=${KATHERINE.id}&setting.redeem=false`);
      await openLauncher(off.page);
      expect(await panel(off.page).locator("[data-tally-redeem-button], [data-tally-wallet]").count()).toBe(0);
      expect(await panel(off.page).locator(".tally-reward--ready").count()).toBe(1);
    });

    it("has no serious or critical accessibility violations while redeeming (axe)", async () => {
      const { page } = await visit(`/?customer=${KATHERINE.id}`);
      const member = await currentMember(page);
      await page.route(`**${PROXY}redeem`, (route) =>
        route.fulfill(json(200, { version: 1, redemption: CODE_REDEMPTION, member: { ...member, redemptions: [CODE_REDEMPTION, STORE_CREDIT_REDEMPTION] } })),
      );
      const { confirm } = await confirmation(page);
      const check = async (name: string) => {
        const results = await new AxeBuilder({ page }).include("[data-tally-root]").analyze();
        expect(seriousViolations(results.violations), name).toEqual([]);
      };
      await check("confirmation");
      await confirm.click();
      await reward(page).getByLabel("Your discount code").waitFor();
      await panel(page).locator(".tally-wallet summary").click();
      await check("code and Your rewards");
    });

    // The real app: POST /apps/tally/redeem through the storefront's signed proxy, the ledger,
    // and GET /customer's redemptions, as the contract (version 1) has them.
    it("redeems through the app: points spent in the ledger, the code shown and listed", async () => {
      const before = (await balanceOf(scenario.db, KATHERINE.id, WIDGET_SHOP))!;
      const { page, errors } = await visit(`/?customer=${KATHERINE.id}`);
      const { item, confirm } = await confirmation(page);
      const cost = Number(await item.getAttribute("data-tally-cost"));
      const answered = page.waitForResponse((response) => response.url().includes(`${PROXY}redeem`));
      await confirm.click();
      const response = await answered;
      expect(response.status()).toBe(200);
      const body = (await response.json()) as RedeemResponse;
      expect(body.version).toBe(1);
      expect(body.redemption).toMatchObject({ rewardId: Number(await item.getAttribute("data-tally-reward")), status: "issued", pointsSpent: cost });
      expect(body.redemption.code).toEqual(expect.any(String));
      expect(body.member.balance).toBe(before - cost);
      expect(await balanceOf(scenario.db, KATHERINE.id, WIDGET_SHOP)).toBe(before - cost);

      const code = item.getByLabel("Your discount code");
      await code.waitFor();
      expect(await code.inputValue()).toBe(body.redemption.code);
      expect(await inPanel(page, "balance").innerText()).toBe(String(before - cost));
      expect(await inPanel(page, "wallet-count").innerText()).toBe("1");

      // The merchant sees the code in Shopify, for this customer alone.
      const shopify = await scenario.app.adminApi!.state(WIDGET_SHOP);
      expect(shopify.discounts.find((discount) => discount.code === body.redemption.code)).toMatchObject({
        customers: [`gid://shopify/Customer/${KATHERINE.id}`],
        usageLimit: 1,
      });

      const again = await visit(`/?customer=${KATHERINE.id}`);
      const member = await currentMember(again.page);
      expect(member.redemptions?.map((redemption) => redemption.code)).toEqual([body.redemption.code]);
      expect(errors).toEqual([]);
    });
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
    // With the widget, once its script has run: it is added after the page's largest paint has
    // settled, which on a busy machine can come after the network has been idle for a while.
    const globals = async (path: string, widget: boolean) => {
      const { page } = await visit(path);
      await page.waitForLoadState("networkidle");
      if (widget) await page.waitForFunction(() => "Tally" in window);
      return page.evaluate(() => Object.keys(window));
    };
    const without = new Set(await globals("/?customer=&embed=0", false));
    const added = (await globals("/pages/rewards?customer=", true)).filter((key) => !without.has(key));
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
      let dialogs = 0;
      const { page, errors } = await visitOutdated(
        path,
        async (held) => {
          held.on("dialog", (dialog) => {
            dialogs++;
            void dialog.dismiss();
          });
        },
        storefront.url,
      );
      await openLauncher(page);
      await expect.poll(() => panel(page).innerText()).toContain(`${XSS} member`);
      await page.waitForLoadState("networkidle");
      const text = await panel(page).innerText();
      expect(text).toContain(`Hi ${XSS}`);
      expect(text).toContain(XSS);
      expect(await page.locator("[data-tally-root] img").count()).toBe(0);
      expect(dialogs).toBe(0);
      expect(errors).toEqual([]);
    }
  });

  describe("the birthday form", () => {
    it("takes a member's birthday once, with the keyboard, then shows it read-only (axe)", async () => {
      const { page, errors } = await visit(`/?customer=${GRACE.id}`);
      await openLauncher(page);
      const section = panel(page).locator("[data-tally-birthday]");
      const month = section.getByLabel("Month");
      const day = section.getByLabel("Day");
      const save = section.getByRole("button", { name: "Save birthday" });
      expect(await section.locator('[data-tally-field="birthday"]').isHidden()).toBe(true);
      const scan = async (name: string) => expect(seriousViolations((await new AxeBuilder({ page }).include("[data-tally-root]").analyze()).violations), name).toEqual([]);
      await scan("birthday form");

      // A day the month does not have: the app refuses it, the form stays, nothing is saved.
      await month.selectOption({ label: "February" });
      await day.selectOption("31");
      await save.focus();
      await page.keyboard.press("Enter");
      const status = section.locator("[data-tally-form-status]");
      await expect.poll(() => status.innerText()).toBe("That date doesn't exist. Please check the month and day.");
      expect(await save.isVisible()).toBe(true);
      expect((await memberOf(scenario.db, GRACE.id, WIDGET_SHOP))!.birthday).toBeNull();

      await month.selectOption({ label: "April" });
      await day.selectOption("12");
      await save.focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => status.innerText()).toBe("Birthday saved. Thank you!");
      const saved = inPanel(page, "birthday");
      expect(await saved.innerText()).toBe("Your birthday: April 12");
      expect(await saved.evaluate((node) => node === document.activeElement)).toBe(true);
      expect(await section.locator("form").isHidden()).toBe(true);
      expect((await memberOf(scenario.db, GRACE.id, WIDGET_SHOP))!.birthday).toBe("04-12");
      await scan("birthday saved");

      // Once given, it is shown, not asked: Liquid paints it from the summary, in each language;
      // the app refuses a second one.
      const next = await visit(`/?customer=${GRACE.id}`);
      await openLauncher(next.page);
      expect(await inPanel(next.page, "birthday").innerText()).toBe("Your birthday: April 12");
      expect(await panel(next.page).locator("[data-tally-birthday] form").isHidden()).toBe(true);
      const french = await visit(`/fr?customer=${GRACE.id}`);
      await openLauncher(french.page);
      expect(await inPanel(french.page, "birthday").innerText()).toBe("Votre anniversaire : 12 avril");
      const again = await next.page.evaluate((proxy) => fetch(`${proxy}birthday`, { method: "POST", body: JSON.stringify({ month: 5, day: 1 }) }).then((response) => response.status), PROXY);
      expect(again).toBe(409);
      expect(errors).toEqual([]);
    });

    it("says so when the birthday was already given elsewhere", async () => {
      const { page } = await visit(`/?customer=${ALAN.id}`);
      await page.route(`**${PROXY}birthday`, (route) =>
        route.fulfill({ status: 409, contentType: "application/json", body: JSON.stringify({ error: { code: "birthday_already_set", message: "…" } }) }),
      );
      await openLauncher(page);
      const section = panel(page).locator("[data-tally-birthday]");
      await section.getByLabel("Month").selectOption("3");
      await section.getByLabel("Day").selectOption("3");
      await section.getByRole("button", { name: "Save birthday" }).click();
      await expect.poll(() => section.locator("[data-tally-form-status]").innerText()).toBe("Your birthday is already saved. The shop can change it for you.");
    });
  });

  describe("the friend offer", () => {
    const codeOf = async (customerId: number) => (await memberOf(scenario.db, customerId, WIDGET_SHOP))!.referralCode;

    it("gives a visitor who came with a member's link the friend's code, with Copy and Apply to cart (axe)", async () => {
      const code = await codeOf(ADA.id);
      const { page, errors, requests } = await visit(`/?customer=&ref=${code.toLowerCase()}`);
      await openLauncher(page);
      const offer = panel(page).locator("[data-tally-offer]");
      await offer.waitFor({ state: "visible" });
      expect(await offer.innerText()).toContain("A gift from a friend");
      // Nothing is asked of the app until the visitor claims.
      expect(proxyRequests(requests)).toEqual([]);
      await new AxeBuilder({ page }).include("[data-tally-root]").analyze().then((results) => expect(seriousViolations(results.violations)).toEqual([]));

      const answered = page.waitForResponse((response) => response.url().includes(`${PROXY}referral-offer`));
      await offer.getByRole("button", { name: "Claim my discount" }).click();
      const response = await answered;
      expect(response.status()).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ version: 1, offer: { status: "issued", referredBy: "Ada" } });
      expect(response.request().postDataJSON()).toEqual({ code });

      const field = offer.getByLabel("Your discount code");
      await expect.poll(() => field.inputValue()).toBe(body.offer.code);
      expect(await field.evaluate((node) => node === document.activeElement)).toBe(true);
      expect(await offer.locator("[data-tally-form-status]").innerText()).toMatch(/^\$?5\.00 off your first order, from Ada\.$/);
      expect(await offer.getByRole("link", { name: "Apply to cart" }).getAttribute("href")).toBe(`/discount/${body.offer.code}`);
      expect(await offer.getByRole("button", { name: "Claim my discount" }).isHidden()).toBe(true);
      await new AxeBuilder({ page }).include("[data-tally-root]").analyze().then((results) => expect(seriousViolations(results.violations)).toEqual([]));
      // Shopify holds it: anyone's, once.
      const shopify = await scenario.app.adminApi!.state(WIDGET_SHOP);
      expect(shopify.discounts.find((discount) => discount.code === body.offer.code)).toMatchObject({ usageLimit: 1 });

      // A later page shows the same code rather than claim another.
      const claims = () => proxyRequests(requests).filter((url) => url.includes("referral-offer")).length;
      await page.goto(`${scenario.storefront.url}/pages/rewards`);
      const inline = page.locator('[data-tally-mode="inline"] [data-tally-offer]');
      await expect.poll(() => inline.getByLabel("Your discount code").inputValue()).toBe(body.offer.code);
      expect(claims()).toBe(1);
      expect(errors).toEqual([]);
    });

    it("gives a signed-in new customer an offer for them alone, and explains a refusal", async () => {
      const code = await codeOf(ADA.id);
      const { page } = await visit(`/?customer=${GRACE.id}&ref=${code}`);
      await openLauncher(page);
      const offer = panel(page).locator("[data-tally-offer]");
      const answered = page.waitForResponse((response) => response.url().includes(`${PROXY}referral-offer`));
      await offer.getByRole("button", { name: "Claim my discount" }).click();
      const body = await (await answered).json();
      await expect.poll(() => offer.getByLabel("Your discount code").inputValue()).toBe(body.offer.code);
      const shopify = await scenario.app.adminApi!.state(WIDGET_SHOP);
      expect(shopify.discounts.find((discount) => discount.code === body.offer.code)).toMatchObject({ customers: [`gid://shopify/Customer/${GRACE.id}`] });

      // A customer who has ordered before: the app refuses, the widget says why.
      const returning = await visit(`/?customer=${KATHERINE.id}&ref=${code}`);
      await openLauncher(returning.page);
      const theirs = panel(returning.page).locator("[data-tally-offer]");
      await theirs.getByRole("button", { name: "Claim my discount" }).click();
      await expect.poll(() => theirs.locator("[data-tally-form-status]").innerText()).toBe("This offer is for a first order, and you've ordered before.");
      expect(await theirs.getByLabel("Your discount code").count()).toBe(0);
    });

    it("shows no offer for one's own link, nor without a link", async () => {
      const own = await visit(`/?customer=${ADA.id}&ref=${await codeOf(ADA.id)}`);
      await openLauncher(own.page);
      await own.page.waitForLoadState("networkidle");
      expect(await panel(own.page).locator("[data-tally-offer]").isHidden()).toBe(true);
      const plain = await visit("/?customer=");
      await openLauncher(plain.page);
      expect(await panel(plain.page).locator("[data-tally-offer]").isHidden()).toBe(true);
    });
  });

  describe("custom actions in Ways to earn", () => {
    it("lets a member claim each action once: a follow opens its page, then the points or the wait for approval (axe)", async () => {
      const shop = "widget-actions.myshopify.com";
      const customerId = 8_300_000_001;
      await scenario.deliver("customers/create", customerCreatePayload({ id: customerId, firstName: "Hedy" }), shop);
      const actions = [
        { kind: "social_follow", title: "Follow us on Instagram", url: "https://social.example/tally", points: 50, requiresApproval: false, enabled: true },
        { kind: "custom", title: "Write a review", url: null, points: 100, requiresApproval: true, enabled: true },
        { kind: "newsletter", title: "Join our emails", url: null, points: 20, requiresApproval: false, enabled: true },
      ];
      for (const action of actions) expect((await saveEarningAction(scenario.db, shop, null, action, { actor: "test" })).ok).toBe(true);
      const storefront = await scenario.storefrontFor(shop);

      const { page, context, errors } = await visit(`/?customer=${customerId}`, {}, storefront.url);
      // The follow's page, stood in for: no request leaves this machine.
      await context.route("https://social.example/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<title>Follow</title>" }));
      await openLauncher(page);
      const earn = panel(page).locator('[data-tally-section="earn"]');
      const follow = earn.locator("[data-tally-action]", { hasText: "Follow us on Instagram" });
      const review = earn.locator("[data-tally-action]", { hasText: "Write a review" });
      expect(await earn.locator("[data-tally-action]", { hasText: "Join our emails" }).innerText()).toContain("The points come with your subscription to our emails.");
      expect(await earn.locator("[data-tally-action]", { hasText: "Join our emails" }).getByRole("button").count()).toBe(0);
      await new AxeBuilder({ page }).include("[data-tally-root]").analyze().then((results) => expect(seriousViolations(results.violations)).toEqual([]));

      const opened = context.waitForEvent("page");
      await follow.getByRole("button", { name: "Follow us Follow us on Instagram" }).click();
      expect((await opened).url()).toBe("https://social.example/tally");
      await expect.poll(() => follow.locator("[data-tally-form-status]").innerText()).toBe("Done! The points are yours.");
      expect(await follow.getByRole("button").count()).toBe(0);
      expect(await follow.locator("[data-tally-form-status]").evaluate((node) => node === document.activeElement)).toBe(true);
      expect(await inPanel(page, "balance").innerText()).toBe("50");
      expect(await balanceOf(scenario.db, customerId, shop)).toBe(50);

      await review.getByRole("button", { name: "Claim points Write a review" }).click();
      await expect.poll(() => review.locator("[data-tally-form-status]").innerText()).toBe("Thanks! The shop will check it and add your points.");
      expect(await balanceOf(scenario.db, customerId, shop)).toBe(50);
      await new AxeBuilder({ page }).include("[data-tally-root]").analyze().then((results) => expect(seriousViolations(results.violations)).toEqual([]));

      // Next page: each claim's state, from the summary, and no button; the app refuses a second claim.
      const next = await visit(`/?customer=${customerId}`, {}, storefront.url);
      await openLauncher(next.page);
      const nextFollow = panel(next.page).locator("[data-tally-action]", { hasText: "Follow us on Instagram" });
      expect(await nextFollow.locator("[data-tally-form-status]").innerText()).toBe("Done! The points are yours.");
      expect(await nextFollow.getByRole("button").isVisible()).toBe(false);
      const actionId = await nextFollow.getAttribute("data-tally-action");
      const again = await next.page.evaluate((path) => fetch(path, { method: "POST" }).then((response) => response.status), `${PROXY}actions/${actionId}/claim`);
      expect(again).toBe(409);

      // A summary that predates the claims (here: none): Liquid offers both claims, and the
      // proxy's member puts each claim's line in place of its form.
      const stale = await visit(`/?customer=${customerId}&summary=none`, {}, storefront.url);
      await openLauncher(stale.page);
      const staleReview = panel(stale.page).locator("[data-tally-action]", { hasText: "Write a review" });
      await expect.poll(() => staleReview.locator("[data-tally-form-status]").innerText()).toBe("Thanks! The shop will check it and add your points.");
      expect(await staleReview.getByRole("button").isVisible()).toBe(false);
      const staleFollow = panel(stale.page).locator("[data-tally-action]", { hasText: "Follow us on Instagram" });
      expect(await staleFollow.locator("[data-tally-form-status]").innerText()).toBe("Done! The points are yours.");
      expect(await staleFollow.getByRole("button").isVisible()).toBe(false);

      // No program metafield yet (a new install): the script lists every way to earn from the
      // proxy's program, the order rule, signup, birthday, referral and each action, worded as
      // Liquid words them (claiming waits for the metafield).
      const current = await scenario.db.shop.findUniqueOrThrow({ where: { domain: shop } });
      const settings = { ...programSettingsOf(parseProgram(current.program)), signupPoints: 25, birthdayPoints: 1 };
      expect((await saveProgramSettings(scenario.db, shop, settings, { actor: "test" })).ok).toBe(true);
      const fresh = await visit(`/?customer=${customerId}&program=none`, {}, storefront.url);
      await openLauncher(fresh.page);
      const ways = panel(fresh.page).locator('[data-tally-section="earn"] li');
      await expect.poll(() => ways.allInnerTexts()).toEqual([
        "1 point for every $1.00 spent",
        "25 points for joining",
        "1 point on your birthday",
        "500 points for each friend you refer; they get $5.00 off their first order",
        "Follow us on Instagram – 50 points",
        "Write a review – 100 points",
        "Join our emails – 20 points The points come with your subscription to our emails.",
      ]);
      // Listed, without claim forms (those come with the metafield).
      expect(await panel(fresh.page).locator('[data-tally-section="earn"] .tally-action').count()).toBe(3);
      expect(await panel(fresh.page).locator('[data-tally-section="earn"] form').count()).toBe(0);
      expect(errors.concat(stale.errors, fresh.errors)).toEqual([]);
    });
  });

  it("shows the amount left to spend when tiers count money, and the held tier's perk, from the metafield and from the proxy", async () => {
    const shop = "widget-spend.myshopify.com";
    const customerId = 8_400_000_001;
    await scenario.deliver("customers/create", customerCreatePayload({ id: customerId, firstName: "Mary" }), shop);
    const current = await scenario.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const settings = { ...programSettingsOf(parseProgram(current.program)), tiers: { basis: "amount", period: "lifetime" } };
    expect((await saveProgramSettings(scenario.db, shop, settings, { actor: "test" })).ok).toBe(true);
    expect((await saveTier(scenario.db, shop, null, { name: "Silver", thresholdPoints: 100, multiplierPercent: 125 }, { actor: "test" })).ok).toBe(true);
    expect((await saveTier(scenario.db, shop, null, { name: "Gold", thresholdPoints: 500, multiplierPercent: 150 }, { actor: "test" })).ok).toBe(true);
    await scenario.deliver("orders/paid", orderPayload({ id: newOrderId(), customer: { id: customerId }, lines: [{ price: "150.00" }] }), shop);
    await expect.poll(async () => (await memberOf(scenario.db, customerId, shop))?.tierId, { timeout: 15_000 }).not.toBeNull();
    const storefront = await scenario.storefrontFor(shop);

    for (const path of [`/?customer=${customerId}`, `/?customer=${customerId}&summary=none`]) {
      const { page, errors } = await visit(path, {}, storefront.url);
      await openLauncher(page);
      await expect.poll(() => inPanel(page, "tier-name").innerText(), { message: path }).toBe("Silver member");
      expect(await inPanel(page, "tier-next").innerText(), path).toMatch(/^Spend \$?350\.00( USD)? more to reach Gold$/);
      const perk = panel(page).locator('[data-tally-perk="Silver"]');
      expect(await perk.isVisible(), path).toBe(true);
      expect(await perk.innerText()).toBe("+25% points on orders");
      expect(await panel(page).locator('[data-tally-perk="Gold"]').isVisible()).toBe(false);
      expect(errors).toEqual([]);
    }
  });

  // Last: it stops the app.
  it("keeps working when the app is down", async () => {
    const { page, errors } = await visit(`/pages/rewards?customer=${ADA.id}`);
    // The script loads after the page's largest paint; with a current summary it asks nothing.
    await page.waitForFunction(() => window.Tally !== undefined);
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
