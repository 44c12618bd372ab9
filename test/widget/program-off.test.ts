// The merchant turned the program off (Home in the admin): the shop's program metafield says
// `enabled: false`, and neither the app embed nor the app block renders anything.
import { describe, expect, it } from "vitest";
import { PROGRAM, SHOP, SILVER_MEMBER } from "./fixtures";
import { renderWidget } from "./render";

describe("a program turned off", () => {
  it("renders no launcher and no rewards block, for visitors and members alike", async () => {
    const shop = { ...SHOP, program: { ...PROGRAM, enabled: false } };
    for (const block of ["launcher", "rewards"] as const) {
      expect((await renderWidget({ block, shop })).trim(), block).toBe("");
      expect((await renderWidget({ block, shop, customer: { summary: SILVER_MEMBER } })).trim(), block).toBe("");
    }
  });

  it("renders as before when the program is on, or when the metafield predates the switch", async () => {
    const { enabled: _enabled, ...older } = PROGRAM;
    for (const program of [PROGRAM, older]) {
      const html = await renderWidget({ block: "launcher", shop: { ...SHOP, program: program as typeof PROGRAM } });
      expect(html).toContain("data-tally-root");
    }
  });
});
