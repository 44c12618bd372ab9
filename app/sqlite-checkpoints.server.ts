// SQLite copies its write-ahead log back into the database file (a checkpoint) when a commit
// finds the log past 1,000 pages, inside that commit. On this machine's disk such a checkpoint
// took 5–36 ms, with the committing worker's event loop blocked and every request it held
// waiting: about 40 commits in 2,300 during a redeem benchmark, the whole p99 of the write
// paths. So a worker thread with a connection of its own checkpoints every CHECKPOINT_EVERY_MS
// (PASSIVE: it never waits for, nor blocks, readers and writers), and the process's own
// connections checkpoint only past BACKSTOP_PAGES, should the thread fall behind or stop.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const CHECKPOINT_EVERY_MS = 100;
/** The commits' own checkpoint, as a backstop: about 80 MB of log at 4 KiB pages. */
export const BACKSTOP_PAGES = 20_000;
const STOP_TIMEOUT_MS = 2_000;

// Evaluated as the thread's script (CommonJS), so that the build needs no separate entry.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const database = new Database(workerData.filePath, { timeout: 0 });
const checkpoint = () => {
  try {
    database.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    // Another process's thread is checkpointing, or a writer holds the lock: the next turn.
    if (error.code !== "SQLITE_BUSY" && error.code !== "SQLITE_LOCKED") parentPort.postMessage({ error: String(error.message) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  database.close();
  parentPort.close();
});
`;

export interface SqliteCheckpoints {
  /** Checkpoints once more, closes the thread's connection and ends the thread. */
  stop(): Promise<void>;
}

/** Starts checkpointing `filePath` (a database in WAL mode) from a worker thread. */
export function startSqliteCheckpoints(filePath: string, onError: (message: string) => void, everyMs = CHECKPOINT_EVERY_MS): SqliteCheckpoints {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { driver, filePath, everyMs } });
  // The server's shutdown stops it; nothing else should wait for it.
  thread.unref();
  thread.on("message", (message: { error?: string }) => message.error && onError(message.error));
  thread.on("error", (error) => onError(error.message));
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  return {
    async stop() {
      thread.postMessage("stop");
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([exited, timeout])) === "timeout") await thread.terminate();
    },
  };
}
