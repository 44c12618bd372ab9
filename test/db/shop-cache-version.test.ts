// A worker's shop cache serves a saved program at once, in every process: before serving what it
// holds, it compares the shop's programVersion in the database (another worker's save bumps it).
// The cache is on here (the other database tests turn it off).
process.env.SHOP_CACHE_TTL_MS = "600000";

import { describe, expect, it } from "vitest";

describe("the per-worker shop cache", () => {
  it("serves another worker's save at once, and otherwise what it holds", async () => {
    const { default: db } = await import("~/db.server");
    const { runtimeEnv } = await import("~/runtime-env.server");
    const { cachedPublicProgram } = await import("~/loyalty/storefront.server");
    const { programSettingsOf, saveProgramSettings } = await import("~/loyalty/program-settings.server");
    const { DEFAULT_PROGRAM } = await import("~/loyalty/program");
    expect(runtimeEnv.shopCacheTtlMs).toBe(600_000);
    const shop = "cache-version.myshopify.com";

    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 1, perMajorUnits: 1 });

    // A write that bypasses the versioned save is not seen: the cache is really serving.
    await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...DEFAULT_PROGRAM, earning: { points: 7, perMajorUnits: 1 } }) } });
    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 1, perMajorUnits: 1 });

    // A save as another worker makes it: the domain call, with no word to this process's cache.
    const saved = await saveProgramSettings(db, shop, { ...programSettingsOf(DEFAULT_PROGRAM), earning: { points: 4, perMajorUnits: 1 } }, { actor: "other-worker" });
    expect(saved.ok).toBe(true);
    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 4, perMajorUnits: 1 });
  });
});
