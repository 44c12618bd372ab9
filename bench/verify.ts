// `npm run bench:verify`: how long `npm run verify` takes at BENCH_MEMBERS members (default
// 100,000) with 10 ledger rows each (1,000,000 entries: 8 orders earned, a refund, a redemption),
// on each database, against a baseline in the same process: one full scan summing the ledger
// (the least any audit of every row must read). Then reconciliation throughput: BENCH_ORDERS
// orders (default 10,000) read from a Shopify stand-in that answers each call in 100 ms (a page
// of 250 orders, or a batch of full orders), with none missed, and with 10% missed (repaired
// from full orders read 4 at a time, the batch the cost model allows), against the baseline of the
// stand-in's own pace (250 orders per 100 ms); then the same two with a bulk operation (the
// stand-in's operation completes on its third poll, each poll and the file's download 100 ms,
// no wait between polls). Each database runs in a child process (the app's
// modules bind DATABASE_URL when imported).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type Provider } from "../dev/simulator/databases";

const members = Number(process.env.BENCH_MEMBERS ?? 100_000);
const orders = Number(process.env.BENCH_ORDERS ?? 10_000);
const databases = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",").map((name) => name.trim()) as Provider[];
const child = process.argv.indexOf("--child");

if (child === -1) {
  for (const provider of databases) {
    const database = await createTestDatabase(provider);
    try {
      const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", provider], {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          NODE_ENV: "test",
          LOG_LEVEL: "silent",
          SUMMARY_SYNC_DELAY_MS: "off",
          SHOPIFY_API_KEY: "bench",
          SHOPIFY_API_SECRET: "bench",
          SHOPIFY_APP_URL: "https://tally.bench",
        },
        stdio: "inherit",
        cwd: path.dirname(path.dirname(fileURLToPath(import.meta.url))),
      });
      if (result.status !== 0) process.exitCode = 1;
    } finally {
      await database.drop();
    }
  }
} else {
  const { runVerifyBench } = await import("./lib/verify-bench");
  await runVerifyBench(process.argv[child + 1] as Provider, members, orders);
}
