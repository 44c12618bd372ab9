// CPU time used by a process, from /proc (Linux). Throughput on a shared two-core machine moves
// with whatever else runs; CPU milliseconds per order is the steadier measure of what a
// delivery costs the server, so the report shows both.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // USER_HZ on every mainstream Linux build
    }
  }
  return ticksPerSecond;
}

/**
 * User + system CPU milliseconds `pid` and its child processes (server.js's cluster workers)
 * have used so far, or null where /proc is not available.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const own = singleProcessCpuMs(pid);
  if (own === null) return null;
  return childPids(pid).reduce((sum, child) => sum + (processCpuMs(child) ?? 0), own);
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** User + system CPU milliseconds of `pid` alone (not its children), or null without /proc. */
export function singleProcessCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return ((userTicks + systemTicks) * 1000) / clockTicksPerSecond();
  } catch {
    return null;
  }
}

/** This process's user + system CPU milliseconds so far. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
