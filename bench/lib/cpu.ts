// CPU time used by a process, from /proc (Linux). Throughput on a shared two-core machine moves
// with whatever else runs; CPU milliseconds per order is the steadier measure of what a
// delivery costs the server, so the report shows both.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

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

/** The whole machine's CPU time so far, in clock ticks summed over its CPUs (/proc/stat), or null without /proc. */
export interface MachineCpu {
  busy: number;
  /** Time the hypervisor gave another guest while this one had work: a virtual machine's noisy neighbours. */
  steal: number;
  total: number;
}

export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user).
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq;
    return { busy, steal, total: busy + idle + iowait + steal };
  } catch {
    return null;
  }
}

/** Busy and stolen shares of the machine's CPUs between two readings, in percent of all of them. */
export function machineShare(before: MachineCpu | null, after: MachineCpu | null): { busyPercent: number; stealPercent: number } | null {
  if (!before || !after || after.total <= before.total) return null;
  const total = after.total - before.total;
  return { busyPercent: ((after.busy - before.busy) * 100) / total, stealPercent: ((after.steal - before.steal) * 100) / total };
}

/** User + system CPU milliseconds of every process named `command` (e.g. PostgreSQL's backends), or null without /proc. */
export function commandCpuMs(command: string): number | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  let sum = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== command) continue;
      sum += singleProcessCpuMs(Number(pid)) ?? 0;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return sum;
}
