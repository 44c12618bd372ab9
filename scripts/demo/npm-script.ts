// Runs one of the project's npm scripts (build, setup) the way the user would, quietly: their
// output only matters when they fail, and then it is printed whole.
import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

// npm sets npm_execpath to the package manager that runs us (npm-cli.js for npm); running that
// with our own Node keeps the project's Node 24 (on PATH via node_modules/.bin) for the script.
function packageManagerCommand(): { command: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath && /\.[cm]?js$/.test(execPath)) return { command: process.execPath, args: [execPath] };
  if (execPath) return { command: execPath, args: [] };
  return { command: process.platform === "win32" ? "npm.cmd" : "npm", args: [] };
}

export async function runNpmScript(script: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { command, args } = packageManagerCommand();
  const child = spawn(command, [...args, "run", script], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    shell: process.platform === "win32" && command.endsWith(".cmd"),
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (exitCode !== 0) {
    throw new Error(`\`npm run ${script}\` failed (exit code ${exitCode}):\n${output}`);
  }
}
