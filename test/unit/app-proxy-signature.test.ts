// Tally's proxy signature check against Shopify's library (`api.utils.validateHmac`, appProxy):
// the same verdict for well-signed, tampered, stale, repeated and oddly spelled queries (and,
// beyond the library, a signature over the pairs in code-point order is accepted too).
import { createHmac } from "node:crypto";
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, InvalidHmacError, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { proxySignatureIsValid } from "~/shopify/app-proxy-signature";

const SECRET = "proxy-signature-secret";
const api = shopifyApi({
  apiKey: "proxy-signature-key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October25,
  hostName: "tally.example",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

async function libraryVerdict(query: URLSearchParams): Promise<boolean> {
  try {
    return await api.utils.validateHmac(query, { signator: "appProxy" });
  } catch (error) {
    if (error instanceof InvalidHmacError) return false;
    throw error;
  }
}

/** Signs as Shopify's proxy does: each key's values joined by commas, keys in order, hex HMAC. */
function sign(pairs: [string, string][], secret = SECRET): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of pairs) values.set(key, [...(values.get(key) ?? []), value]);
  const message = [...values.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => `${key}=${values.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

const now = () => Math.trunc(Date.now() / 1000);
const proxyPairs = (timestamp: number): [string, string][] => [
  ["shop", "tally-test.myshopify.com"],
  ["logged_in_customer_id", "7700000000001"],
  ["path_prefix", "/apps/tally"],
  ["timestamp", String(timestamp)],
];
const query = (pairs: [string, string][]) => new URLSearchParams(pairs);

describe("proxySignatureIsValid", () => {
  it("accepts Shopify's signature and refuses it once anything signed changes", () => {
    const pairs = proxyPairs(now());
    const signed = query([...pairs, ["signature", sign(pairs)]]);
    expect(proxySignatureIsValid(signed, SECRET)).toBe(true);
    expect(proxySignatureIsValid(signed, "another-secret")).toBe(false);
    const tampered = new URLSearchParams(signed);
    tampered.set("logged_in_customer_id", "7700000000002");
    expect(proxySignatureIsValid(tampered, SECRET)).toBe(false);
    const upper = new URLSearchParams(signed);
    upper.set("signature", sign(pairs).toUpperCase());
    expect(proxySignatureIsValid(upper, SECRET)).toBe(false);
  });

  it("also accepts a signature over the pairs sorted by code point, as Shopify's documented signer sorts them", () => {
    // "Ref" sorts before "logged_in_customer_id" by code point, after it by localeCompare.
    const pairs: [string, string][] = [...proxyPairs(now()), ["Ref", "ABC"], ["path-x", "1"]];
    const codePointOrder = pairs.map(([key, value]) => `${key}=${value}`).sort().join("");
    const signature = createHmac("sha256", SECRET).update(codePointOrder).digest("hex");
    expect(signature).not.toBe(sign(pairs));
    expect(proxySignatureIsValid(query([...pairs, ["signature", signature]]), SECRET)).toBe(true);
    expect(proxySignatureIsValid(query([...pairs, ["signature", sign(pairs)]]), SECRET)).toBe(true);
    expect(proxySignatureIsValid(query([...pairs, ["signature", createHmac("sha256", "x").update(codePointOrder).digest("hex")]]), SECRET)).toBe(false);
  });

  it("refuses a timestamp more than 90 seconds off, a missing one and a missing signature", () => {
    for (const [offset, valid] of [[-90, true], [90, true], [-91, false], [91, false]] as const) {
      const pairs = proxyPairs(now() + offset);
      expect(proxySignatureIsValid(query([...pairs, ["signature", sign(pairs)]]), SECRET), `offset ${offset}`).toBe(valid);
    }
    const untimed = proxyPairs(now()).filter(([key]) => key !== "timestamp");
    expect(proxySignatureIsValid(query([...untimed, ["signature", sign(untimed)]]), SECRET)).toBe(false);
    expect(proxySignatureIsValid(query(proxyPairs(now())), SECRET)).toBe(false);
  });

  it("signs a repeated parameter as its values joined by commas, and refuses a repeated signed one", () => {
    const pairs: [string, string][] = [...proxyPairs(now()), ["tag", "a"], ["tag", "b"]];
    expect(proxySignatureIsValid(query([...pairs, ["signature", sign(pairs)]]), SECRET)).toBe(true);
    const twice: [string, string][] = [...proxyPairs(now()), ["shop", "other.myshopify.com"]];
    expect(proxySignatureIsValid(query([...twice, ["signature", sign(twice)]]), SECRET)).toBe(false);
  });

  it("gives the library's verdict on random queries, signed, tampered or not", async () => {
    const key = fc.oneof(
      fc.constantFrom("shop", "logged_in_customer_id", "path_prefix", "timestamp", "hmac", "signature", "index", "ref", "Tag", "tag", "a_b", "aB"),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("", ",", "=", "&", "é", "7700000000001"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, value), { maxLength: 6 }),
        fc.integer({ min: -200, max: 200 }),
        fc.constantFrom("signed", "tampered", "other-secret", "garbage", "none"),
        fc.boolean(),
        async (extra, offset, signing, timestamped) => {
          const pairs: [string, string][] = [
            ...proxyPairs(now() + offset).filter(([name]) => timestamped || name !== "timestamp"),
            ...extra.filter(([name]) => name !== "signature"),
          ];
          const signature =
            signing === "signed" ? sign(pairs) : signing === "tampered" ? sign([...pairs, ["x", "1"]]) : signing === "other-secret" ? sign(pairs, "x") : signing === "garbage" ? "zz" : null;
          const tested = query(signature === null ? pairs : [...pairs, ["signature", signature]]);
          expect(proxySignatureIsValid(tested, SECRET)).toBe(await libraryVerdict(tested));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
