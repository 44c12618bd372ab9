// Whether a failed Admin API call may have reached Shopify decides whether a redemption's points
// can come back at once (certainly not sent) or must be looked up first (maybe sent).
import { afterEach, describe, expect, it, vi } from "vitest";
import { adminFetch, NOT_SENT_MARK } from "~/shopify/admin-fetch.server";

const failing = (code: string | null) => () =>
  Promise.reject(new TypeError("fetch failed", { cause: code === null ? undefined : Object.assign(new Error(code), { code }) }));

afterEach(() => vi.unstubAllGlobals());

describe("adminFetch", () => {
  it.each(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "ERR_TLS_CERT_ALTNAME_INVALID"])("marks %s as not sent", async (code) => {
    vi.stubGlobal("fetch", failing(code));
    await expect(adminFetch("https://shop.myshopify.com/admin/api/2026-10/graphql.json")).rejects.toThrow(`(${code}) ${NOT_SENT_MARK}`);
  });

  it.each(["ECONNRESET", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", null])("leaves %s as it is: the request may have been sent", async (code) => {
    vi.stubGlobal("fetch", failing(code));
    const error = await adminFetch("https://shop.myshopify.com/admin/api/2026-10/graphql.json").catch((thrown: Error) => thrown);
    expect((error as Error).message).toBe("fetch failed");
  });

  it("reads the code of the first address tried when several were (happy eyeballs)", async () => {
    vi.stubGlobal("fetch", () =>
      Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]), {}) })),
    );
    await expect(adminFetch("https://shop.myshopify.com/")).rejects.toThrow(NOT_SENT_MARK);
  });

  it("counts every address failing to connect as not sent, a first one timed out included", async () => {
    const attempt = (code: string, message: string) => Object.assign(new Error(message), { code });
    vi.stubGlobal("fetch", () =>
      Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new AggregateError([attempt("ETIMEDOUT", "connect ETIMEDOUT ::1:443"), attempt("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:443")]), { code: "ETIMEDOUT" }) })),
    );
    await expect(adminFetch("https://shop.myshopify.com/")).rejects.toThrow(`(ECONNREFUSED) ${NOT_SENT_MARK}`);
  });

  it("leaves a combined error with one attempt that did not fail to connect as it is", async () => {
    vi.stubGlobal("fetch", () =>
      Promise.reject(new TypeError("fetch failed", { cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" }), Object.assign(new Error("y"), { code: "ECONNRESET" })]) })),
    );
    const error = await adminFetch("https://shop.myshopify.com/").catch((thrown: Error) => thrown);
    expect((error as Error).message).toBe("fetch failed");
  });
});
