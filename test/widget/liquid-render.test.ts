// The extension's Liquid, rendered with liquidjs as Shopify renders it: what a shopper sees on
// first paint, before (and without) the script.
import { describe, expect, it } from "vitest";
import { storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { FIVE_OFF, GOLD_MEMBER, NEGATIVE_MEMBER, PENDING_MEMBER, POINTS_FOR_CASH, PROGRAM, REFERRAL_URL, SHOP, SILVER_MEMBER } from "./fixtures";
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
    expect(widgetConfig(html)).toMatchObject({ proxy: `/fr${storefrontProxyPrefix()}`, root: "/fr", cart: "/fr/cart/update.js", locale: "fr" });
    expect(widgetConfig(await renderWidget())).toMatchObject({ proxy: storefrontProxyPrefix(), root: "", cart: "/cart/update.js" });
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

  it("sees the amount left to spend when tiers count money spent", async () => {
    const summary = { ...SILVER_MEMBER, progress: { basis: "amount" as const, current: 12_000, target: 50_000, remaining: 38_000, percent: 24, remainingAmount: "380.00" } };
    const html = await renderWidget({ customer: { summary }, locale: "nl" });
    expect(field(html, "tier-next")).toBe("Besteed nog 380.00 USD om Gold te bereiken");
    expect(widgetConfig(html)).toMatchObject({ strings: { toNextAmount: "Besteed nog {amount} om {tier} te bereiken" } });
  });

  it("shares the referral link through plain links, no third-party script", async () => {
    const html = await renderWidget({ customer: { summary: SILVER_MEMBER } });
    const encoded = encodeURIComponent(REFERRAL_URL);
    expect(html).toContain(`href="https://www.facebook.com/sharer/sharer.php?u=${encoded}"`);
    expect(html).toContain(`href="https://x.com/intent/tweet?text=I%20earn%20rewards%20at%20Tally%20Test%20Goods.%20Join%20with%20my%20link%3A&amp;url=${encoded}"`);
    expect(html).toContain(`href="https://wa.me/?text=I%20earn%20rewards%20at%20Tally%20Test%20Goods.%20Join%20with%20my%20link%3A%20${encoded}"`);
    expect(html).toContain(`href="mailto:?subject=Join%20me%20at%20Tally%20Test%20Goods&amp;body=`);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/);
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

});

describe("redemption", () => {
  const THOUSAND = { ...FIVE_OFF, id: 14, title: "10.00 off your order", costPoints: 1000, amountMinor: 1000, amount: "10.00" };
  const shop = { ...SHOP, program: { ...PROGRAM, rewards: [FIVE_OFF, POINTS_FOR_CASH, THOUSAND] } };
  const rewardTag = (html: string, id: number) => openingTag(html, `data-tally-reward="${id}"`);
  /** The Redeem button of reward `id`, by its position in the markup. */
  const redeemButton = (html: string, id: number) => {
    const from = html.indexOf(`data-tally-reward="${id}"`);
    return openingTag(html.slice(from, html.indexOf("</li>", from)), "data-tally-redeem-button");
  };

  it("gives a member a Redeem button on each reward, shown where the balance covers it", async () => {
    for (const block of ["launcher", "rewards"] as const) {
      const html = await renderWidget({ block, shop, customer: { summary: GOLD_MEMBER } }); // 640 points
      expect(openingTag(html, "data-tally-root")).toContain('data-tally-redeem="on"');
      expect(rewardTag(html, FIVE_OFF.id)).toContain("tally-reward--ready");
      expect(redeemButton(html, FIVE_OFF.id)).not.toMatch(/\shidden/);
      expect(redeemButton(html, POINTS_FOR_CASH.id)).not.toMatch(/\shidden/);
      expect(redeemButton(html, THOUSAND.id)).toMatch(/\shidden/);
      expect(rewardTag(html, THOUSAND.id)).not.toContain("tally-reward--ready");
      // A button that says what it redeems, to a screen reader.
      expect(visibleText(html)).toContain("Redeem 5.00 off your order");
      expect(html).toMatch(/<button type="button" class="tally-button" data-tally-redeem-button>Redeem<span class="tally-visually-hidden"> 5.00 off your order<\/span>/);
    }
  });

  it("ships the script the strings for the confirmation, the answers and every error, translated", async () => {
    const config = widgetConfig(await renderWidget({ shop, customer: { summary: GOLD_MEMBER }, locale: "de" }));
    expect(config.strings).toMatchObject({
      redeem: "Einlösen",
      confirmText: { one: "{title} für {points} Punkt einlösen?", other: "{title} für {points} Punkte einlösen?" },
      balanceAfter: { one: "Punktestand danach: {points} Punkt", other: "Punktestand danach: {points} Punkte" },
      credited: "{amount} wurden deinem Konto gutgeschrieben",
      expires: "Gültig bis {date}",
      tooMany: { other: "Zu viele Versuche. Bitte warte {seconds} Sekunden und versuche es erneut." },
    });
    expect(Object.keys(config.strings.errors as object).sort()).toEqual(
      ["generic", "not_enough_points", "reward_unavailable", "shopify_failed", "shopify_unavailable", "unknown_reward"].sort(),
    );
  });

  it("shows a variable reward's rate and minimum order, and gives the script its range", async () => {
    const html = await renderWidget({ shop, customer: { summary: SILVER_MEMBER } }); // 120 points
    const tag = rewardTag(html, POINTS_FOR_CASH.id);
    expect(tag).toContain('data-tally-cost="200"'); // ready from its fewest points
    expect(tag).toContain('data-tally-variable="200 1000 100 100"');
    expect(tag).toContain('data-tally-amount="1.00"');
    const item = visibleText(html.slice(html.indexOf(`data-tally-reward="${POINTS_FOR_CASH.id}"`)));
    expect(item).toMatch(/^[^<]*Points for cash 100 points = \$1\.00 On orders of \$20\.00 or more 80 more points to go/);
    expect(redeemButton(html, POINTS_FOR_CASH.id)).toMatch(/\shidden/);
  });

  it("keeps \"Your rewards\" closed, to be filled from the app proxy", async () => {
    const html = await renderWidget({ shop, customer: { summary: GOLD_MEMBER } });
    expect(html).toMatch(/<details class="tally-wallet">\s*<summary class="tally-wallet__summary">Your rewards/);
    expect(openingTag(html, "data-tally-wallet")).toContain('aria-busy="true"');
    expect(isHidden(html, 'data-tally-field="wallet-count"')).toBe(true);
  });

  it("renders the buttons hidden while the balance is unknown", async () => {
    const html = await renderWidget({ shop, customer: { summary: null } });
    for (const reward of [FIVE_OFF, POINTS_FOR_CASH, THOUSAND]) expect(redeemButton(html, reward.id)).toMatch(/\shidden/);
  });

  it("shows a visitor the rewards without buttons or redeem strings", async () => {
    const html = await renderWidget({ shop });
    expect(html).not.toMatch(/data-tally-redeem|data-tally-wallet|Redeem/);
    expect(visibleText(html)).toContain("5.00 off your order 500 points");
    expect(widgetConfig(html).strings).not.toHaveProperty("redeem");
  });

  it("can be turned off by the merchant, in the embed and in the app block", async () => {
    for (const block of ["launcher", "rewards"] as const) {
      const html = await renderWidget({ block, shop, customer: { summary: GOLD_MEMBER }, settings: { redeem: false } });
      expect(html).not.toMatch(/data-tally-redeem|data-tally-wallet|Redeem/);
      expect(widgetConfig(html).strings).not.toHaveProperty("redeem");
      expect(text(html, "data-tally-reward-state")).toBe("You can redeem this");
    }
  });
});

describe("loading", () => {
  it("requests the script and the embed's stylesheet after the page's load, and hides the launcher until then", async () => {
    const html = await renderWidget({ customer: { summary: SILVER_MEMBER } });
    expect(openingTag(html, "data-tally-root")).toMatch(/\shidden\s*>/);
    expect(html).not.toMatch(/<link\b|<script\b[^>]*\bsrc=/);
    const loader = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    expect(loader).toContain("addEventListener('load'");
    expect(loader).toContain('"/cdn/assets/tally-widget.js", "/cdn/assets/tally-widget.css")');
  });

  it("leaves the app block's stylesheet to its schema (<head>) and loads only the script", async () => {
    const html = await renderWidget({ block: "rewards", customer: { summary: SILVER_MEMBER } });
    expect(openingTag(html, "data-tally-root")).not.toMatch(/\shidden/);
    expect(/<script>([\s\S]*?)<\/script>/.exec(html)![1]).toContain('"/cdn/assets/tally-widget.js", "")');
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

  it("names each string of the script's config once, with everything shipped", async () => {
    // JSON.parse keeps the last of two equal keys: a member's plural "pending" was once replaced by
    // redemption's, and the script threw on the first pending points.
    const html = await renderWidget({ shop: { ...SHOP, program: null }, customer: {} });
    const source = /<script type="application\/json" data-tally-config>([\s\S]*?)<\/script>/.exec(html)![1];
    const keysIn = (value: unknown): number =>
      value && typeof value === "object" ? Object.values(value).reduce<number>((count, inner) => count + keysIn(inner), Array.isArray(value) ? 0 : Object.keys(value).length) : 0;
    // Every key in the text is a string followed by a colon (a value is followed by , or }).
    expect(source.match(/"(?:[^"\\]|\\.)*"\s*:/g)!.length).toBe(keysIn(JSON.parse(source)));
    expect(widgetConfig(html).strings).toHaveProperty("redeemPending");
  });

  it("leaves the program to the script, and ships it the strings to build it", async () => {
    const html = await renderWidget({ shop: { ...SHOP, program: null } });
    expect(openingTag(html, "data-tally-program")).toContain('aria-busy="true"');
    expect(html).not.toContain("data-tally-section");
    expect(visibleText(html)).toContain("Join our rewards program");
    const config = widgetConfig(html);
    expect(config.programRendered).toBe(false);
    expect((config.strings.earnWays as Record<string, unknown>).order).toEqual({ one: "{points} point for every {amount} spent", other: "{points} points for every {amount} spent" });
    expect(config.strings.earnWays).toMatchObject({
      signup: { one: "{points} point for joining", other: "{points} points for joining" },
      birthday: { one: "{points} point on your birthday", other: "{points} points on your birthday" },
      referral: { other: "{points} points for each friend you refer; they get {amount} off their first order" },
    });
    expect(config.strings.actionNewsletter).toBe("The points come with your subscription to our emails.");
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

describe("the program's appearance, set in Tally's admin", () => {
  const look = { heading: "Club <Rewards>", launcherLabel: "Our club", accentColor: "#0a7e3b", accentTextColor: null, backgroundColor: null, textColor: "#111111" };

  it("wins over the block's texts and colours; what it leaves blank keeps the block's", async () => {
    const html = await renderWidget({ shop: { ...SHOP, program: { ...PROGRAM, appearance: look } } });
    expect(text(html, 'class="tally-launcher__label"')).toBe("Our club");
    expect(html).toContain("Club &lt;Rewards&gt;");
    expect(html).not.toContain("Club <Rewards>");
    const style = openingTag(html, "data-tally-root");
    expect(style).toContain("--tally-accent: #0a7e3b");
    expect(style).toContain("--tally-fg: #111111");
    expect(style).toContain("--tally-on-accent: #ffffff");
    expect(style).toContain("--tally-bg: #ffffff");
  });

  it("leaves the theme's and the translated defaults when nothing is set", async () => {
    const html = await renderWidget();
    expect(text(html, 'class="tally-launcher__label"')).toBe("Rewards");
    expect(openingTag(html, "data-tally-root")).toContain("--tally-accent: #1d4ed8");
  });
});

describe("the birthday form", () => {
  const options = (html: string, name: string) => {
    const from = html.indexOf(`name="${name}"`);
    return [...html.slice(from, html.indexOf("</select>", from)).matchAll(/<option value="(\d*)">([^<]*)<\/option>/g)].map((match) => [match[1], match[2]]);
  };

  it("asks a member without a birthday for month and day, in labelled selects, posting to the app", async () => {
    const html = await renderWidget({ customer: { summary: SILVER_MEMBER } });
    expect(openingTag(html, "data-tally-birthday")).not.toMatch(/\shidden/);
    expect(openingTag(html, "data-tally-post=")).toContain('data-tally-post="birthday"');
    expect(isHidden(html, "data-tally-post=")).toBe(false);
    expect(isHidden(html, 'data-tally-field="birthday"')).toBe(true);
    const month = openingTag(html, 'name="month"');
    const id = /id="([^"]+)"/.exec(month)![1];
    expect(html).toContain(`<label class="tally-label" for="${id}">Month</label>`);
    expect(month).toContain("required");
    expect(options(html, "month")).toEqual([["", ""], ...["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"].map((name, index) => [String(index + 1), name])]);
    expect(options(html, "day")).toEqual([["", ""], ...Array.from({ length: 31 }, (_, index) => [String(index + 1), String(index + 1)])]);
    expect(text(html, 'data-tally-msg="birthday_already_set"')).toBe("Your birthday is already saved. The shop can change it for you.");
    expect(options(await renderWidget({ customer: { summary: SILVER_MEMBER }, locale: "de" }), "month")[3]).toEqual(["3", "März"]);
  });

  it("shows a given birthday read-only, in the storefront's language", async () => {
    const given = { ...SILVER_MEMBER, birthday: "04-12" };
    const cases = { en: "Your birthday: April 12", de: "Dein Geburtstag: 12. April", fr: "Votre anniversaire : 12 avril", es: "Tu cumpleaños: 12 de abril", it: "Il tuo compleanno: 12 aprile", nl: "Je verjaardag: 12 april" };
    for (const [locale, expected] of Object.entries(cases)) {
      const html = await renderWidget({ customer: { summary: given }, locale });
      expect(field(html, "birthday"), locale).toBe(expected);
      expect(isHidden(html, 'data-tally-field="birthday"')).toBe(false);
      expect(isHidden(html, "data-tally-post=")).toBe(true);
    }
    expect(widgetConfig(await renderWidget({ customer: { summary: given }, locale: "de" })).strings.birthday).toBe("Dein Geburtstag: {day}. {month}");
  });

  it("shows the form while the summary is unknown (the script swaps in a given date), and nothing to a visitor", async () => {
    const unknown = await renderWidget({ customer: { summary: undefined } });
    expect(isHidden(unknown, "data-tally-post=")).toBe(false);
    expect(isHidden(unknown, 'data-tally-field="birthday"')).toBe(true);
    const odd = await renderWidget({ customer: { summary: { ...SILVER_MEMBER, birthday: "<b>-x" } } });
    expect(isHidden(odd, 'data-tally-field="birthday"')).toBe(true);
    expect(await renderWidget()).not.toContain("data-tally-birthday");
  });
});

describe("the friend offer", () => {
  it("is rendered hidden for everyone (the script shows it for a stored ?ref= code), posting the code to the app", async () => {
    for (const customer of [null, { summary: SILVER_MEMBER }]) {
      const page = await renderWidget({ customer });
      const html = page.slice(page.indexOf("data-tally-offer") - 40);
      expect(isHidden(html, "data-tally-offer")).toBe(true);
      expect(openingTag(html, 'data-tally-post="referral-offer"')).toBeTruthy();
      expect(openingTag(html, 'name="code"')).toContain('type="hidden"');
      expect(text(html, 'data-tally-msg="ok"')).toBe("{amount} off your first order, from {name}.");
      expect(text(html, 'data-tally-msg="not_new_customer"')).toBe("This offer is for a first order, and you've ordered before.");
      // The code box's strings ship for visitors too.
      expect(widgetConfig(page).strings).toMatchObject({ codeLabel: "Your discount code", copyCode: "Copy code", apply: "Apply to cart", expires: "Use by {date}" });
    }
    const italian = await renderWidget({ locale: "it" });
    expect(text(italian.slice(italian.indexOf("data-tally-offer")), 'data-tally-msg="ok"')).toBe("{amount} di sconto sul tuo primo ordine, da {name}.");
  });
});

describe("the held tier's perk", () => {
  it("shows the earning multiplier of the tier the member holds, the others' hidden for the script", async () => {
    const gold = await renderWidget({ customer: { summary: GOLD_MEMBER } });
    expect(openingTag(gold, 'data-tally-perk="Gold"')).not.toMatch(/\shidden/);
    expect(text(gold, 'data-tally-perk="Gold"')).toBe("+50% points on orders");
    const silver = await renderWidget({ customer: { summary: SILVER_MEMBER } });
    expect(isHidden(silver, 'data-tally-perk="Gold"')).toBe(true);
    expect(silver).not.toContain('data-tally-perk="Silver"'); // ×100%: no perk to show
    expect(isHidden(await renderWidget({ customer: { summary: undefined } }), 'data-tally-perk="Gold"')).toBe(true);
  });
});

describe("Ways to earn lists every active rule", () => {
  const ways = [
    { kind: "order" as const, points: 1, perMajorUnits: 1 },
    { kind: "signup" as const, points: 50 },
    { kind: "birthday" as const, points: 1 },
    { kind: "referral" as const, points: 500, friendDiscountMajorUnits: 5 },
  ];
  const shop = { ...SHOP, program: { ...PROGRAM, waysToEarn: ways } };
  const earn = (html: string) => {
    const from = html.indexOf('data-tally-section="earn"');
    return visibleText(html.slice(from, html.indexOf("</ul>", from)));
  };

  it("shows signup, birthday and referral points next to the order rule, in the shopper's language", async () => {
    const shown = earn(await renderWidget({ shop }));
    expect(shown).toContain("1 point for every $1.00 spent");
    expect(shown).toContain("50 points for joining");
    expect(shown).toContain("1 point on your birthday");
    expect(shown).toContain("500 points for each friend you refer; they get $5.00 off their first order");
    expect(earn(await renderWidget({ shop, locale: "de" }))).toContain("50 Punkte für die Anmeldung");
  });

  it("names the friend offer's amount in the offer a referred visitor sees", async () => {
    const offer = (html: string) => {
      const from = html.indexOf("data-tally-offer");
      return html.slice(from, html.indexOf("</form>", from));
    };
    expect(visibleText(offer(await renderWidget({ shop })))).toContain("Your friend's link gives you $5.00 off your first order.");
    expect(visibleText(offer(await renderWidget({ shop, locale: "fr" })))).toContain("de réduction sur votre première commande");
    // Without the referral rule in the program (an older metafield): the general line.
    expect(visibleText(offer(await renderWidget({ shop: { ...SHOP, program: { ...PROGRAM, waysToEarn: [ways[0]] } } })))).toContain(
      "Your friend's link gives you a discount on your first order.",
    );
  });

  it("shows only the order rule when nothing else is on", async () => {
    const shown = earn(await renderWidget({ shop: { ...SHOP, program: { ...PROGRAM, waysToEarn: [ways[0]] } } }));
    expect(shown).not.toMatch(/joining|birthday|refer/);
  });
});

describe("custom actions in Ways to earn", () => {
  const FOLLOW = { id: 31, kind: "social_follow" as const, title: "Follow us <now>", points: 50, url: "https://social.example/tally?a=1&b=2" };
  const REVIEW = { id: 32, kind: "custom" as const, title: "Write a review", points: 100 };
  const NEWSLETTER = { id: 33, kind: "newsletter" as const, title: "Join our emails", points: 20 };
  const shop = { ...SHOP, program: { ...PROGRAM, actions: [FOLLOW, REVIEW, NEWSLETTER] } };
  const item = (html: string, id: number) => {
    const from = html.indexOf(`data-tally-action="${id}"`);
    return html.slice(from, html.indexOf("</li>", from));
  };

  it("lists every action with its points; a member gets a button to claim each, a follow opening its page first", async () => {
    const html = await renderWidget({ shop, customer: { summary: SILVER_MEMBER } });
    expect(visibleText(item(html, FOLLOW.id))).toContain("Follow us <now> – 50 points");
    expect(openingTag(item(html, FOLLOW.id), "data-tally-post=")).toBe(
      '<form data-tally-post="actions/31/claim" data-tally-open="https://social.example/tally?a=1&amp;b=2">',
    );
    expect(visibleText(item(html, FOLLOW.id))).toContain("Follow us Follow us <now>"); // the button, named with its action
    expect(openingTag(item(html, REVIEW.id), "data-tally-post=")).toBe('<form data-tally-post="actions/32/claim">');
    expect(visibleText(item(html, REVIEW.id))).toContain("Claim points Write a review");
    // Newsletter points come with the subscription: nothing to claim.
    expect(item(html, NEWSLETTER.id)).not.toContain("data-tally-post");
    expect(visibleText(item(html, NEWSLETTER.id))).toContain("The points come with your subscription to our emails.");
  });

  it("shows a claim's state from the summary instead of the button", async () => {
    const summary = { ...SILVER_MEMBER, actionClaims: [{ actionId: FOLLOW.id, status: "approved" as const }, { actionId: REVIEW.id, status: "pending_approval" as const }] };
    const html = await renderWidget({ shop, customer: { summary }, locale: "de" });
    expect(text(item(html, FOLLOW.id), "data-tally-form-status")).toBe("Erledigt! Die Punkte gehören dir.");
    expect(isHidden(item(html, FOLLOW.id), "data-tally-post=")).toBe(true);
    expect(text(item(html, REVIEW.id), "data-tally-form-status")).toBe("Danke! Der Shop prüft es und schreibt dir die Punkte gut.");
  });

  it("carries every line a claim can show, for the script to use when fresher member data comes", async () => {
    const html = await renderWidget({ shop, customer: { summary: SILVER_MEMBER } });
    for (const line of ["busy", "approved", "pending_approval", "rejected", "already_claimed", "error"]) {
      expect(isHidden(item(html, REVIEW.id), `data-tally-msg="${line}"`), line).toBe(true);
    }
    expect(text(item(html, REVIEW.id), 'data-tally-msg="rejected"')).toBe("The shop didn't approve this claim.");
  });

  it("lists them without buttons for a visitor", async () => {
    const html = await renderWidget({ shop });
    expect(visibleText(item(html, REVIEW.id))).toContain("Write a review – 100 points");
    expect(html).not.toContain('data-tally-post="actions/');
  });
});
