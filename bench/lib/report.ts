// Console table and JSON file for a bench run.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import type { BaselineResult } from "./baseline";
import type { DeliveryFailure } from "./load";
import type { LatencySummary } from "./stats";
import type { LedgerCheck } from "./verify";

export const TARGET = { ordersPerSecond: 500, p99Ms: 50 };

export interface LevelResult {
  concurrency: number;
  orders: number;
  wallMs: number;
  ordersPerSecond: number;
  latency: LatencySummary;
  /** Webhook orders/s ÷ bare insert tx/s on the same database. */
  ratioVsBaseline: number;
  /** CPU the server process used per order (null without /proc); the client's, for scale. */
  serverCpuMsPerOrder: number | null;
  clientCpuMsPerOrder: number;
  meetsTarget: boolean;
  failureCount: number;
  /** The first few, for the report; failureCount has them all. */
  failures: DeliveryFailure[];
}

export interface DatabaseResult {
  database: string;
  baseline: BaselineResult;
  /** Untimed, but its deliveries must succeed and are in the ledger check. */
  warmUp: { orders: number; failureCount: number; failures: DeliveryFailure[] };
  levels: LevelResult[];
  ledger: LedgerCheck;
}

export function meetsTarget(ordersPerSecond: number, p99Ms: number): boolean {
  return ordersPerSecond >= TARGET.ordersPerSecond && p99Ms < TARGET.p99Ms;
}

export function printReport(results: readonly DatabaseResult[], environment: Record<string, string | number>): void {
  console.log();
  for (const [key, value] of Object.entries(environment)) console.log(`${key.padEnd(12)} ${value}`);
  console.log(`target       ≥ ${TARGET.ordersPerSecond} orders/s with p99 < ${TARGET.p99Ms} ms`);
  console.log();
  console.log("Bare insert loop (1 ledger row + 1 balance increment per transaction, sequential, same driver as the ledger):");
  for (const { database, baseline } of results) {
    console.log(
      `  ${database.padEnd(10)} ${fixed(baseline.txPerSecond, 1).padStart(8)} tx/s   ` +
        `p50 ${fixed(baseline.latency.p50Ms, 2)} ms   p99 ${fixed(baseline.latency.p99Ms, 2)} ms   ` +
        `CPU ${fixed(baseline.cpuMsPerTx, 2)} ms/tx   (${baseline.transactions} tx)`,
    );
  }
  console.log();
  const header = ["database", "concurrency", "orders/s", "p50 ms", "p99 ms", "ratio vs bare insert", "server CPU ms/order", "failures", "target"];
  const rows = results.flatMap(({ database, levels }) =>
    levels.map((level) => [
      database,
      String(level.concurrency),
      fixed(level.ordersPerSecond, 1),
      fixed(level.latency.p50Ms, 2),
      fixed(level.latency.p99Ms, 2),
      fixed(level.ratioVsBaseline, 2),
      level.serverCpuMsPerOrder === null ? "n/a" : fixed(level.serverCpuMsPerOrder, 2),
      String(level.failureCount),
      targetMark(level),
    ]),
  );
  console.log(formatTable(header, rows, ["left", "right", "right", "right", "right", "right", "right", "right", "left"]));
  console.log();
  for (const { database, warmUp } of results) {
    if (warmUp.failureCount > 0) console.log(`warm-up      ${database.padEnd(10)} ${warmUp.failureCount} of ${warmUp.orders} deliveries failed`);
  }
  for (const { database, ledger } of results) {
    const verdict = ledger.ok
      ? `ok: ${ledger.earnRows} earn rows for ${ledger.ordersSent} orders, Σ balance = Σ delta = ${ledger.ledgerDeltaSum}`
      : `FAILED: ${ledger.problems.join("; ")}`;
    console.log(`ledger check ${database.padEnd(10)} ${verdict}`);
  }
}

function targetMark(level: LevelResult): string {
  if (level.meetsTarget) return "✓ pass";
  const misses = [
    level.ordersPerSecond < TARGET.ordersPerSecond && `< ${TARGET.ordersPerSecond}/s`,
    !(level.latency.p99Ms < TARGET.p99Ms) && `p99 ≥ ${TARGET.p99Ms} ms`,
  ].filter(Boolean);
  return `✗ fail (${misses.join(", ")})`;
}

type Align = "left" | "right";

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (align[column] === "right" ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** Writes bench/results/<bench>-<timestamp>.json (bench: "webhooks" unless named) and returns its path. */
export function writeResultsJson(document: unknown, startedAt: Date, bench = "webhooks"): string {
  const folder = path.join(PROJECT_ROOT, "bench/results");
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${bench}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(document, (_key, value) => (typeof value === "bigint" ? String(value) : value), 2) + "\n");
  return file;
}
