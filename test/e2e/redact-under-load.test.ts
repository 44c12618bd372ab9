// A long write in one worker (shop/redact of a large shop) does not turn other workers' webhook
// deliveries into errors: the production server, 2 workers, another shop's orders streaming in
// while the redaction runs. `npm run bench:redact` measures the same at 100,000 members.
import { describe, expect, it } from "vitest";
import { redactUnderLoad } from "../../bench/lib/redact-under-load";
import type { Provider } from "../../dev/simulator/databases";

describe.each<Provider>(["sqlite", "postgres"])("shop/redact under load on %s", (provider) => {
  it("deletes a 20,000-member shop while other deliveries keep being answered 200 and credited once", async () => {
    const concurrency = 8;
    const result = await redactUnderLoad({ provider, members: 20_000, concurrency, workers: 2, baselineOrders: 100, timeoutMs: 120_000 });
    expect(result.redactWebhookStatus).toBe(200);
    expect(result.redactMs).not.toBeNull();
    // Deliveries went on while the shop was being deleted: many more completed than were in
    // flight when it began (one long delete would hold them all until it was over).
    expect(result.during.sent).toBeGreaterThan(4 * concurrency);
    expect(result.during.failures).toEqual([]);
    expect(result.baseline.failures).toEqual([]);
    expect(result.ledgerProblems).toEqual([]);
  }, 180_000);
});
