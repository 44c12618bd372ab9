// Merchant and shopper strings (names, reward and tier titles, block settings) never become
// markup, whatever they contain.
import { describe, expect, it } from "vitest";
import type { CustomerSummary } from "../../widget/contract";
import { POINTS_FOR_CASH, PROGRAM, SHOP, SILVER_MEMBER, XSS } from "./fixtures";
import { renderWidget, visibleText } from "./render";

const evilProgram = {
  ...PROGRAM,
  name: XSS,
  rewards: [
    { ...PROGRAM.rewards[0], title: XSS },
    { ...POINTS_FOR_CASH, title: XSS, amount: `1"><img src=x onerror=alert(6)>`, minimumSubtotal: `<img src=x onerror=alert(7)>` },
  ],
  tiers: [{ ...PROGRAM.tiers[0], name: XSS }, PROGRAM.tiers[1]],
};
const evilSummary: CustomerSummary = {
  ...SILVER_MEMBER,
  tier: { name: XSS },
  nextTier: { name: `"><svg onload=alert(2)>`, thresholdPoints: 500 },
  referralUrl: `https://shop.example/?ref=A"><img src=x onerror=alert(3)>`,
};
const evilShop = { ...SHOP, name: `</script><script>alert(4)</script>`, program: evilProgram };

/** Every tag in the HTML as the browser would tokenise it: name and attribute names. */
function tags(html: string): { name: string; attributes: string[] }[] {
  const tag = /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
  const attribute = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?/g;
  return [...html.matchAll(tag)].map((match) => ({
    name: match[1].toLowerCase(),
    attributes: [...match[2].matchAll(attribute)].map((found) => found[1].toLowerCase()),
  }));
}

function expectNoInjectedMarkup(html: string) {
  const found = tags(html);
  expect(found.filter((tag) => tag.name === "img")).toEqual([]);
  expect(found.filter((tag) => tag.name === "script")).toHaveLength(2); // the config's JSON and the loader
  expect(found.flatMap((tag) => tag.attributes).filter((name) => name.startsWith("on"))).toEqual([]);
}

describe("escaping", () => {
  it("a customer's name, tier names and reward titles render as text", async () => {
    for (const block of ["launcher", "rewards"] as const) {
      const html = await renderWidget({ block, shop: evilShop, customer: { firstName: XSS, summary: evilSummary } });
      expectNoInjectedMarkup(html);
      const shown = visibleText(html);
      expect(shown).toContain(`Hi ${XSS}`);
      expect(shown).toContain(`${XSS} member`);
      expect(shown).toContain(`${XSS} 500 points`);
    }
  });

  it("a program name renders as text for visitors", async () => {
    const html = await renderWidget({ shop: evilShop });
    expectNoInjectedMarkup(html);
    expect(visibleText(html)).toContain(`Join ${XSS}`);
  });

  it("a referral link that is not https is not offered at all", async () => {
    const html = await renderWidget({ customer: { summary: { ...SILVER_MEMBER, referralUrl: "javascript:alert(1)" } } });
    // The config's JSON carries the summary as data (the script offers only https links); no
    // markup does.
    const markup = html.replace(/<script type="application\/json" data-tally-config>[\s\S]*?<\/script>/g, "");
    expect(markup).not.toContain("javascript:");
    expect(html).toMatch(/class="tally-referral" data-tally-referral hidden/);
  });

  it("merchant settings render as text and cannot break out of the style attribute", async () => {
    const html = await renderWidget({
      settings: { launcher_label: XSS, heading: XSS, accent_color: `red" onmouseover="alert(5)` },
    });
    expectNoInjectedMarkup(html);
    expect(visibleText(html)).toContain(XSS);
  });

  it("no value can close the script's JSON", async () => {
    const html = await renderWidget({ shop: evilShop, customer: { firstName: XSS, summary: evilSummary } });
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the config's and the loader's own
  });
});
