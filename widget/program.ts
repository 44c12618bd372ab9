// The program sections (ways to earn, rewards, tiers, how it works) built from the proxy's JSON,
// for when Liquid had no program metafield to render them from. Same markup as
// snippets/tally-program.liquid; every value goes in as text.
import type { ProgramStrings, WidgetConfig } from "./config";
import type { ProgramReward, PublicProgram } from "./contract";
import { element } from "./dom";
import { countText, fill, formatMoney } from "./i18n";

export function renderProgram(container: HTMLElement, program: PublicProgram, config: WidgetConfig): void {
  const strings = config.strings;
  if (!strings.earnHeading) return; // Liquid rendered the program, so it shipped no strings for it
  const s = strings as ProgramStrings & WidgetConfig["strings"];
  const { locale } = config;
  const points = program.earning.points;
  const amount = formatMoney(program.earning.perMajorUnits, program.currency || config.currency, locale);
  const sections = [
    section("earn", s.earnHeading, list([...waysToEarn(program, config), ...actionItems(program, config)])),
    section("rewards", s.rewardsHeading, program.rewards.length ? rewardList(program, config) : element("p", "", s.rewardsEmpty)),
  ];
  if (program.tiers.length) {
    sections.push(
      section(
        "tiers",
        s.tiersHeading,
        list(
          program.tiers.map((tier) => {
            const bonus = tier.multiplierPercent - 100;
            const parts: (Node | string)[] = [
              element("strong", "", tier.name),
              " ",
              element("span", "", countText(s.tiersThreshold, tier.thresholdPoints, locale, { points: tier.thresholdPoints })),
            ];
            if (bonus > 0) parts.push(" ", element("span", "", fill(s.tiersBonus, { percent: bonus })));
            return parts;
          }),
        ),
      ),
    );
  }
  if (container.getAttribute("data-tally-how") !== "off") {
    const rules = [
      countText(s.howRate, points, locale, { points, amount }),
      s.howExcluded,
      s.howRefunds,
      program.pendingDays > 0 ? countText(s.howPendingDays, program.pendingDays, locale, { days: program.pendingDays }) : s.howPendingNone,
      program.expiryDays ? countText(s.howExpiryDays, program.expiryDays, locale, { days: program.expiryDays }) : s.howExpiryNone,
    ];
    if (program.tiers.length) rules.push(s.howTiers);
    sections.push(section("how", s.howHeading, list(rules, "tally-list tally-rules")));
  }
  container.replaceChildren(...sections);
  container.removeAttribute("aria-busy");
}

function section(name: string, heading: string, body: Node): HTMLElement {
  const node = element("section", "tally-section", element("h3", "tally-heading", heading), body);
  node.setAttribute("data-tally-section", name);
  return node;
}

function list(items: (string | (Node | string)[] | HTMLLIElement)[], className = "tally-list"): HTMLUListElement {
  return element("ul", className, ...items.map((item) => (item instanceof Node ? item : element("li", "", ...[item].flat()))));
}

/** Every active way to earn (the order rule, then signup, birthday and referral points when on), worded as Liquid words them. */
function waysToEarn(program: PublicProgram, config: WidgetConfig): string[] {
  const s = config.strings as ProgramStrings;
  return program.waysToEarn.map((way) => {
    // What an order's points are per, or what a referred friend gets off.
    const { perMajorUnits, friendDiscountMajorUnits } = way as Partial<Record<"perMajorUnits" | "friendDiscountMajorUnits", number>>;
    const amount = formatMoney(perMajorUnits || friendDiscountMajorUnits || 0, program.currency || config.currency, config.locale);
    return countText(s.earnWays[way.kind], way.points, config.locale, { points: way.points, amount });
  });
}

/**
 * Custom actions, as tally-program.liquid lists them, without the claim form (nor the action's id
 * that only the form needs): that comes with the program metafield (Liquid), which the app writes
 * at install, so only the first page views of a new install go without it.
 */
function actionItems(program: PublicProgram, config: WidgetConfig): HTMLLIElement[] {
  const s = config.strings as ProgramStrings & WidgetConfig["strings"];
  return (program.actions || []).map((action) => {
    const item = element("li", "tally-action", element("span", "tally-reward__title", action.title), " – ", element("span", "", countText(s.rewardCost, action.points, config.locale, { points: action.points })));
    if (action.kind == "newsletter") item.append(" ", element("span", "tally-reward__note", s.actionNewsletter));
    return item;
  });
}

function rewardList(program: PublicProgram, config: WidgetConfig): HTMLUListElement {
  const s = config.strings as ProgramStrings & WidgetConfig["strings"];
  const { locale } = config;
  const money = (amount: string) => formatMoney(Number(amount), program.currency || config.currency, locale);
  // The fields redemption added to the public program (contract version 1, issue 8).
  const items = (program.rewards as ProgramReward[]).map((reward) => {
    const points = reward.costPoints;
    const variable = reward.variable;
    const item = element(
      "li",
      "tally-reward",
      element("span", "tally-reward__title", reward.title),
      element(
        "span",
        "tally-reward__cost",
        variable && reward.amount
          ? countText(s.rewardCostVariable, points, locale, { points, amount: money(reward.amount) })
          : countText(s.rewardCost, points, locale, { points }),
      ),
    );
    item.setAttribute("data-tally-reward", String(reward.id));
    // Readiness counts from the fewest points the reward takes (see tally-program.liquid).
    item.setAttribute("data-tally-cost", String(variable ? variable.minPoints : points));
    if (variable) {
      item.setAttribute("data-tally-variable", `${variable.minPoints} ${variable.maxPoints} ${variable.stepPoints} ${points}`);
      item.setAttribute("data-tally-amount", reward.amount || "0");
    }
    if (reward.minimumSubtotal) item.append(element("span", "tally-reward__note", fill(s.rewardMinimum, { amount: money(reward.minimumSubtotal) })));
    if (config.loggedIn) {
      const state = element("span", "tally-reward__state");
      state.setAttribute("data-tally-reward-state", "");
      item.append(state);
      if (s.redeem) {
        // Same as Liquid's: hidden until member.ts finds the balance covers it.
        const button = element("button", "tally-button", s.redeem, element("span", "tally-visually-hidden", ` ${reward.title}`));
        button.type = "button";
        button.hidden = true;
        button.setAttribute("data-tally-redeem-button", "");
        item.append(button);
      }
    }
    return item;
  });
  return element("ul", "tally-list tally-rewards", ...items);
}
