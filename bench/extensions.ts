// `npm run bench:extensions`: what Tally's UI extensions (customer accounts, thank-you, checkout)
// cost to load, and what their build costs CI.
//
// 1. Each extension's bundle as `shopify app build` writes it, raw and gzip (what Shopify serves),
//    Preact and Shopify's runtime included, against the 12 KB gzip budget.
// 2. The time of `shopify app build` (offline: configuration and extensions validated, UI
//    extensions bundled), BENCH_RUNS times (default 3), median.
// Exit status: 1 when the build fails or a bundle is over budget.
import { formatExtensionSizes, overBudget, runAppBuild, uiExtensionSizes } from "../scripts/extensions/sizes";

const runs = Number(process.env.BENCH_RUNS ?? 3);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, got "${process.env.BENCH_RUNS}"`);

const times: number[] = [];
for (let run = 0; run < runs; run++) {
  const build = runAppBuild();
  if (build.status !== 0) {
    console.error(build.output);
    process.exit(1);
  }
  times.push(build.ms);
}
const sizes = uiExtensionSizes();
console.log(formatExtensionSizes(sizes));
const sorted = [...times].sort((a, b) => a - b);
console.log(`\nshopify app build: median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(1)} s over ${runs} runs (${times.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s)`);
process.exit(overBudget(sizes).length > 0 ? 1 : 0);
