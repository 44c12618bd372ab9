// Lighthouse (mobile; slow 4G and 4× CPU, simulated by default or applied with "devtools")
// against a local page, in Debian's Chromium through chrome-launcher, with the flags
// dev/simulator/browser.ts uses so Chromium reaches for no network beyond the page.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { CHROMIUM_OFFLINE_FLAGS, CHROMIUM_PATH } from "../../dev/simulator/browser";

const CHROME_FLAGS = ["--headless=new", ...CHROMIUM_OFFLINE_FLAGS];

export interface LighthouseRun {
  /** Performance score, 0–100. */
  score: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  speedIndexMs: number;
  /** Bytes transferred for the whole page, as Lighthouse counted them. */
  transferBytes: number;
  /** The element Lighthouse took as the largest paint (lcp-breakdown-insight), as a CSS selector. */
  lcpElement: string | null;
  /** When the largest paint happened in the unthrottled load Lighthouse recorded. */
  observedLcpMs: number;
  /**
   * Requests other than the document that ended before that observed largest paint: the
   * simulation puts every one of them on the path to LCP (Lantern's LCP graph keeps all
   * requests that finished before it, render-blocking or not), paying each its simulated
   * round trips.
   */
  beforeLcp: string[];
  /** render-blocking-insight: the URLs Chrome marked as blocking the first render. */
  renderBlocking: string[];
}

export interface Auditor {
  audit(url: string): Promise<LighthouseRun>;
  close(): Promise<void>;
}

export type Throttling = "simulate" | "devtools";

export async function startAuditor(throttlingMethod: Throttling = "simulate"): Promise<Auditor> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROME_FLAGS, logLevel: "silent" });
  return {
    audit: async (url) => {
      const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"], throttlingMethod });
      if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
      const { categories, audits, runtimeError } = result.lhr;
      if (runtimeError) throw new Error(`Lighthouse: ${runtimeError.code} ${runtimeError.message}`);
      const value = (id: string) => Number(audits[id]?.numericValue ?? NaN);
      const items = (id: string) => ((audits[id]?.details as { items?: unknown[] } | undefined)?.items ?? []) as Record<string, unknown>[];
      const observed = items("metrics")[0] ?? {};
      const observedLcpMs = Number(observed.observedLargestContentfulPaint ?? NaN);
      const lcpNode = items("lcp-breakdown-insight").find((item) => item.type === "node");
      const requests = items("network-requests");
      const path = (address: unknown) => {
        const parsed = new URL(String(address));
        return parsed.pathname + parsed.search;
      };
      return {
        score: Math.round((categories.performance.score ?? 0) * 100),
        fcpMs: value("first-contentful-paint"),
        lcpMs: value("largest-contentful-paint"),
        tbtMs: value("total-blocking-time"),
        cls: value("cumulative-layout-shift"),
        speedIndexMs: value("speed-index"),
        transferBytes: value("total-byte-weight"),
        lcpElement: typeof lcpNode?.selector === "string" ? lcpNode.selector : null,
        observedLcpMs,
        beforeLcp: requests
          .filter((request) => request.resourceType !== "Document" && Number(request.networkEndTime) <= observedLcpMs)
          .map((request) => path(request.url)),
        renderBlocking: items("render-blocking-insight").map((item) => path(item.url)),
      };
    },
    close: async () => {
      chrome.kill();
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
