// The app's modules form no import cycle (a cycle makes start-up order matter, and once made
// shopify.server.ts → install → storefront sync → shopify.server.ts), and the domain imports
// neither Remix, Shopify's libraries nor the SQL drivers (their runners live in app/sql-*.ts).
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const APP = path.join(PROJECT_ROOT, "app");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((imported) => imported.fileName);
}

/** The app file an import names, or null for a package. */
function resolveImport(from: string, specifier: string): string | null {
  const base = specifier.startsWith("~/") ? path.join(APP, specifier.slice(2)) : specifier.startsWith(".") ? path.resolve(path.dirname(from), specifier) : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    if (candidate.startsWith(APP) && existsSync(candidate) && /\.tsx?$/.test(candidate)) return candidate;
  }
  return null;
}

describe("app module graph", () => {
  const files = sourceFiles(APP);
  const graph = new Map(files.map((file) => [file, importsOf(file).flatMap((specifier) => resolveImport(file, specifier) ?? [])]));

  it("has no import cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...stack.slice(stack.indexOf(file)), file].map((f) => path.relative(PROJECT_ROOT, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      stack.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) visit(file);
    expect(cycles).toEqual([]);
  });

  it("keeps Remix, Shopify's libraries and the SQL drivers out of the domain (app/loyalty)", () => {
    const offending = files
      .filter((file) => file.startsWith(path.join(APP, "loyalty")))
      .flatMap((file) => importsOf(file).filter((specifier) => /^@remix-run\/|^@shopify\/|^better-sqlite3$|^pg$/.test(specifier)).map((specifier) => `${path.relative(APP, file)}: ${specifier}`));
    expect(offending).toEqual([]);
  });
});

describe("dependencies", () => {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as Record<string, Record<string, string>>;
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
  const packageOf = (specifier: string) => (specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
  const isPackage = (specifier: string) => !/^(\.|~\/|node:|virtual:|\/)/.test(specifier) && !specifier.endsWith("?url");

  it("declares every package the project imports", () => {
    const roots = ["app", "bench", "dev", "scripts", "test", "widget"].map((dir) => path.join(PROJECT_ROOT, dir));
    const files = [
      ...roots.flatMap((root) => (existsSync(root) ? sourceFiles(root).concat(testFiles(root)) : [])),
      ...["server.js", "vite.config.ts", "vitest.config.ts", "prisma.config.ts", "eslint.config.js"].map((file) => path.join(PROJECT_ROOT, file)),
    ];
    const undeclared = new Set<string>();
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        if (isPackage(specifier) && !declared.has(packageOf(specifier))) undeclared.add(`${packageOf(specifier)} (${path.relative(PROJECT_ROOT, file)})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });
});

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return /\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}
