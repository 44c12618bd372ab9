// How long each step of a request took, for the Server-Timing header
// (https://www.w3.org/TR/server-timing/): `take;dur=8.7, shopify;dur=156.8, …` in milliseconds.
// Sent only with SERVER_TIMING=on (bench:redeem turns it on to show where a redeem's time goes).

export class StepTimes {
  private last: number;
  private readonly steps: { name: string; ms: number }[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Ends the step that ran since the previous one ended (or since the request was taken). */
  end(name: string): void {
    const now = this.now();
    this.steps.push({ name, ms: now - this.last });
    this.last = now;
  }

  /** The Server-Timing header's value. */
  header(): string {
    return this.steps.map((step) => `${step.name};dur=${step.ms.toFixed(1)}`).join(", ");
  }
}

/** The steps of a Server-Timing header, by name (durations in ms); entries without `dur` are left out. */
export function parseServerTiming(header: string | null): Record<string, number> {
  const steps: Record<string, number> = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.map((param) => param.trim()).find((param) => param.startsWith("dur="));
    const ms = dur === undefined ? Number.NaN : Number(dur.slice(4));
    if (name && Number.isFinite(ms)) steps[name] = (steps[name] ?? 0) + ms;
  }
  return steps;
}
