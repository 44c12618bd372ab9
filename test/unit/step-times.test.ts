import { describe, expect, it } from "vitest";
import { parseServerTiming, StepTimes } from "~/observability/step-times";

describe("StepTimes", () => {
  it("times each step from the end of the one before, as Server-Timing", () => {
    const clock = [100, 108.74, 265.5, 265.5, 269.04];
    const steps = new StepTimes(() => clock.shift()!);
    steps.end("take");
    steps.end("shopify");
    steps.end("mark");
    steps.end("answer");
    expect(steps.header()).toBe("take;dur=8.7, shopify;dur=156.8, mark;dur=0.0, answer;dur=3.5");
  });

  it("reads a header back, summing repeated names and skipping entries without a duration", () => {
    expect(parseServerTiming("take;dur=8.7, shopify;desc=\"Admin API\";dur=156.8, cache, take;dur=1.3, bad;dur=x")).toEqual({ take: 10, shopify: 156.8 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
