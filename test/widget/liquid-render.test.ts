// The extension's Liquid, rendered with liquidjs as Shopify renders it: what a shopper sees on
// first paint, before (and without) the script.
import { describe, expect, it } from "vitest";
import { storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { GOLD_MEMBER, NEGATIVE_MEMBER, PENDING_MEMBER, PROGRAM, REFERRAL_URL, SHOP, SILVER_MEMBER } from "./fixtures";
import { field, isHidden, openingTag, renderWidget, text, texts, visibleText, widgetConfig } from "./render";

describe("a visitor who is not signed in", () => {
  it("learns what the program is, how to earn, what to get, and where to sign in or join", async () => {
    const html = await renderWidget();
    const shown = visibleText(html);
    expect(shown).toContain("Join Rewards");
    expect(shown).toContain("1 point for every $1.00 spent");
    expect(shown).toContain("5.00 off your order 500 points");
    expect(shown).toContain("Silver from 100 points earned");
    expect(shown).toContain("Gold from 500 points earned +50% points on orders");
    expect(html).toContain('<a class="tally-button" href="/account/register">Create account</a>');
    expect(html).toContain('<a class="tally-button tally-button--quiet" href="/account/login">Sign in</a>');
    expect(html).not.toContain("data-tally-member");
    expect(html).not.toContain("data-tally-reward-state");
    expect(widgetConfig(html)).toMatchObject({ loggedIn: false, programRendered: true });
  });

  it("uses the locale's routes for links, the app proxy and the cart", async () => {
    const html = await renderWidget({ locale: "fr" });
    expect(html).toContain('href="/fr/account/register"');
    expect(html).toContain('href="/fr/account/login"');
    expect(widgetConfig(html)).toMatchObject({ proxy: `/fr${storefrontProxyPrefix()}`, cart: "/fr/cart/update.js", locale: "fr" });
    expect(widgetConfig(await renderWidget())).toMatchObject({ proxy: storefrontProxyPrefix(), cart: "/cart/update.js" });
  });
});

describe("a signed-in member, from the summary metafield", () => {
  it("sees balance, tier progress toward the next tier and the referral link", async () => {
    const html = await renderWidget({ customer: { firstName: "Ada", summary: SILVER_MEMBER } });
    expect(text(html, 'class="tally-lead"')).toBe("Hi Ada");
    expect(texts(html, 'data-tally-field="balance"')).toEqual(["120", "120"]); // launcher and panel
    expect(field(html, "balance-label")).toBe("points");
    expect(isHidden(html, 'data-tally-field="pending"')).toBe(true);
    expect(isHidden(html, 'data-tally-field="negative"')).toBe(true);
    expect(field(html, "tier-name")).toBe("Silver member");
    expect(field(html, "tier-next")).toBe("350 points to Gold");
    const bar = openingTag(html, 'role="progressbar"');
    expect(bar).toContain('aria-valuenow="30"');
    expect(bar).toContain('aria-valuetext="350 points to Gold"');
    expect(bar).toContain('aria-label="Progress to Gold"');
    expect(bar).toContain("--tally-progress: 30%");
    expect(openingTag(html, 'data-tally-field="referral-url"')).toContain(`value="${REFERRAL_URL}"`);
    expect(text(html, 'data-tally-reward-state')).toBe("380 more points to go");
    expect(widgetConfig(html)).toMatchObject({ loggedIn: true, summaryRendered: true });
  });

  it("shares the referral link through plain links, no third-party script", async () => {
    const html = await renderWidget({ customer: { summary: SILVER_MEMBER } });
    const encoded = encodeURIComponent(REFERRAL_URL);
    expect(html).toContain(`href="https://www.facebook.com/sharer/sharer.php?u=${encoded}"`);
    expect(html).toContain(`href="https://x.com/intent/tweet?text=I%20earn%20rewards%20at%20Tally%20Test%20Goods.%20Join%20with%20my%20link%3A&amp;url=${encoded}"`);
    expect(html).toContain(`href="https://wa.me/?text=I%20earn%20rewards%20at%20Tally%20Test%20Goods.%20Join%20with%20my%20link%3A%20${encoded}"`);
    expect(html).toContain(`href="mailto:?subject=Join%20me%20at%20Tally%20Test%20Goods&amp;body=`);
    expect(html.match(/<script\b[^>]*\bsrc=/g)).toHaveLength(1);
    expect(html).toContain('<script src="/cdn/assets/tally-widget.js" defer fetchpriority="low"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/cdn/assets/tally-widget.css" fetchpriority="low">');
  });

  it("shows pending points", async () => {
    const html = await renderWidget({ customer: { summary: PENDING_MEMBER } });
    expect(isHidden(html, 'data-tally-field="pending"')).toBe(false);
    expect(field(html, "pending")).toBe("+25 points pending");
  });

  it("shows a negative balance honestly, with why", async () => {
    const html = await renderWidget({ customer: { summary: NEGATIVE_MEMBER } });
    expect(field(html, "balance")).toBe("-40");
    expect(openingTag(html, "data-tally-balance")).toContain("tally-balance--negative");
    expect(isHidden(html, 'data-tally-field="negative"')).toBe(false);
    expect(field(html, "negative")).toMatch(/below zero/);
    expect(field(html, "tier-name")).toBe("No tier yet");
    expect(field(html, "tier-next")).toBe("40 points to Silver");
    expect(text(html, "data-tally-reward-state")).toBe("540 more points to go");
  });

  it("at the top tier, says so instead of showing progress", async () => {
    const html = await renderWidget({ customer: { summary: GOLD_MEMBER } });
    expect(field(html, "tier-name")).toBe("Gold member");
    expect(field(html, "tier-next")).toBe("You've reached the top tier");
    expect(isHidden(html, 'role="progressbar"')).toBe(true);
    expect(text(html, "data-tally-reward-state")).toBe("You can redeem this");
    expect(openingTag(html, "data-tally-reward=")).toContain("tally-reward--ready");
  });

  it("hides the tier section when the program has no tiers", async () => {
    const noTiers = { ...SILVER_MEMBER, tier: null, nextTier: null, progress: null };
    const html = await renderWidget({ shop: { ...SHOP, program: { ...PROGRAM, tiers: [] } }, customer: { summary: noTiers } });
    expect(isHidden(html, "data-tally-tier")).toBe(true);
    expect(html).not.toContain('data-tally-section="tiers"');
  });

  it("never renders a redeem button: POST /apps/tally/redeem does not exist yet", async () => {
    const html = await renderWidget({ customer: { summary: GOLD_MEMBER } });
    expect(html).not.toMatch(/data-tally-redeem|Redeem</);
    expect(widgetConfig(html).strings).not.toHaveProperty("redeem");
  });
});

describe("without the metafields", () => {
  it("renders a neutral skeleton for the member's points that the script fills", async () => {
    const html = await renderWidget({ customer: { summary: null } });
    expect(openingTag(html, "data-tally-member")).toContain('aria-busy="true"');
    expect(openingTag(html, 'data-tally-field="balance"')).toContain("tally-skeleton");
    expect(field(html, "balance")).toBe("&nbsp;"); // a line's height, no number
    expect(html).not.toContain("tally-launcher__balance");
    // Room is kept for what the script will write: the referral link every member has, and the
    // tier and its progress because the program has tiers.
    expect(isHidden(html, "data-tally-referral")).toBe(false);
    expect(openingTag(html, 'data-tally-field="referral-url"')).toContain('value=""');
    expect(isHidden(html, "data-tally-tier")).toBe(false);
    expect(field(html, "tier-next")).toBe("&nbsp;");
    expect(widgetConfig(html)).toMatchObject({ loggedIn: true, summaryRendered: false });
  });

  it("leaves the program to the script, and ships it the strings to build it", async () => {
    const html = await renderWidget({ shop: { ...SHOP, program: null } });
    expect(openingTag(html, "data-tally-program")).toContain('aria-busy="true"');
    expect(html).not.toContain("data-tally-section");
    expect(visibleText(html)).toContain("Join our rewards program");
    const config = widgetConfig(html);
    expect(config.programRendered).toBe(false);
    expect(config.strings.earnOrder).toEqual({ one: "{points} point for every {amount} spent", other: "{points} points for every {amount} spent" });
    expect(config.strings.howPendingDays).toEqual({
      one: "Points become available {days} day after your order is paid.",
      other: "Points become available {days} days after your order is paid.",
    });
  });
});

describe("how it works", () => {
  it("is worded from the program's values, not from the defaults", async () => {
    const program = { ...PROGRAM, currency: "EUR", earning: { points: 2, perMajorUnits: 5 }, pendingDays: 14, expiryDays: 365, tiers: [] };
    const html = await renderWidget({ block: "rewards", shop: { ...SHOP, currency: "EUR", program } });
    const rules = visibleText(html.slice(html.indexOf('data-tally-section="how"')));
    expect(rules).toContain("You earn 2 points for every €5.00 you spend on products, after discounts.");
    expect(rules).toContain("Shipping, taxes, tips and gift cards don't earn points.");
    expect(rules).toContain("A refund takes back the points the refunded items earned; a cancellation takes back everything the order earned.");
    expect(rules).toContain("Points become available 14 days after your order is paid.");
    expect(rules).toContain("Unused points expire after 365 days.");
    expect(rules).not.toContain("tier");
  });

  it("describes the defaults of a fresh install", async () => {
    const html = await renderWidget({ block: "rewards" });
    const rules = visibleText(html.slice(html.indexOf('data-tally-section="how"')));
    expect(rules).toContain("You earn 1 point for every $1.00 you spend on products, after discounts.");
    expect(rules).toContain("Points are added as soon as your order is paid.");
    expect(rules).toContain("Points don't expire.");
    expect(rules).toContain("Your tier depends on the points you've earned in total");
  });

  it("can be turned off by the merchant", async () => {
    const html = await renderWidget({ block: "rewards", settings: { show_how_it_works: false } });
    expect(html).not.toContain('data-tally-section="how"');
  });
});

describe("block settings", () => {
  it("theme the widget through CSS custom properties and place the launcher", async () => {
    const html = await renderWidget({
      settings: { accent_color: "#aa0000", accent_text_color: "#fefefe", background_color: "#101010", text_color: "#f0f0f0", position: "left", launcher_label: "Points", heading: "Club" },
    });
    const root = openingTag(html, "data-tally-root");
    expect(root).toContain('class="tally tally--dialog tally--left"');
    expect(root).toContain('style="--tally-accent: #aa0000; --tally-on-accent: #fefefe; --tally-bg: #101010; --tally-fg: #f0f0f0;"');
    expect(text(html, 'class="tally-launcher__label"')).toBe("Points");
    expect(text(html, 'class="tally-title"')).toBe("Club");
  });

  it("fall back to translated defaults when left blank", async () => {
    const html = await renderWidget({ locale: "de" });
    expect(text(html, 'class="tally-launcher__label"')).toBe("Prämien");
    expect(openingTag(html, "data-tally-close")).toContain('aria-label="Prämien schließen"');
  });

  it("the app block renders the same content inline, without launcher or dialog", async () => {
    const html = await renderWidget({ block: "rewards", customer: { summary: SILVER_MEMBER }, settings: { show_referral: false } });
    expect(openingTag(html, "data-tally-root")).toContain('data-tally-mode="inline"');
    expect(html).not.toContain("data-tally-launcher");
    expect(html).not.toContain('role="dialog"');
    expect(field(html, "tier-next")).toBe("350 points to Gold");
    expect(html).not.toContain("data-tally-referral");
  });
});
