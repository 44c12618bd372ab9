import { describe, expect, it } from "vitest";
import { parseShopifyJson } from "~/shopify/payloads";

describe("parseShopifyJson", () => {
  it("keeps every digit of integers past 2^53, as bigint", () => {
    expect(parseShopifyJson('{"id":820982911946154508,"ids":[1, 820982911946154509],"nested":{"order_id": -9007199254740993}}')).toEqual({
      id: 820982911946154508n,
      ids: [1, 820982911946154509n],
      nested: { order_id: -9007199254740993n },
    });
  });

  it("leaves everything else as JSON.parse reads it", () => {
    const text = '{"id":450789469,"price":"199.00","big":"820982911946154508","note":"ref: 1234567890123456789","rate":1.5e300,"safe":9007199254740991}';
    expect(parseShopifyJson(text)).toEqual(JSON.parse(text));
  });

  it("throws on malformed JSON, as JSON.parse does", () => {
    expect(() => parseShopifyJson('{"id":820982911946154508')).toThrow(SyntaxError);
    expect(() => parseShopifyJson('{"id":')).toThrow(SyntaxError);
  });
});
