import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import ts from "typescript";

// The app's ways in, found in the source tree itself (not a hand list): every page, every HTTP
// method a route handler exports, every export of a "use server" module. Exports are read from
// the syntax tree, so a module need not be loaded to be listed (Auth.js does not load in Vitest).

const ROOT = path.resolve(import.meta.dirname, "../..");
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** /w/[workspace]/batches for app/w/[workspace]/batches/page.tsx; route groups and slots dropped. */
function patternOf(file: string): string {
  const segments = path
    .relative(path.join(ROOT, "app"), path.dirname(file))
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return `/${segments.join("/")}`;
}

function parse(file: string) {
  return ts.createSourceFile(
    file,
    readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
}

const exported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** The names of a module's exported values (types and interfaces left out). */
export function valueExports(file: string): string[] {
  const names: string[] = [];
  for (const statement of parse(file).statements) {
    if (ts.isFunctionDeclaration(statement) && exported(statement) && statement.name) names.push(statement.name.text);
    else if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const d of statement.declarationList.declarations) names.push(...bindingNames(d.name));
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const e of statement.exportClause.elements) if (!e.isTypeOnly) names.push(e.name.text);
    } else if (ts.isExportAssignment(statement)) names.push("default");
  }
  return names;
}

function hasUseServer(file: string): boolean {
  const first = parse(file).statements[0];
  return Boolean(
    first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === "use server",
  );
}

export interface RouteEntry {
  key: string;
  file: string;
  method: string;
  pattern: string;
}

export function routeEntries(): RouteEntry[] {
  return walk(path.join(ROOT, "app"))
    .filter((f) => /\/route\.tsx?$/.test(f))
    .flatMap((file) =>
      valueExports(file)
        .filter((name) => METHODS.has(name))
        .map((method) => ({ key: `${method} ${patternOf(file)}`, file: relative(file), method, pattern: patternOf(file) })),
    )
    .sort((a, b) => a.key.localeCompare(b.key));
}

export interface ActionEntry {
  key: string;
  file: string;
  name: string;
}

export function actionEntries(): ActionEntry[] {
  return ["app", "components", "lib"]
    .flatMap((dir) => walk(path.join(ROOT, dir)))
    .filter((f) => /\.tsx?$/.test(f) && hasUseServer(f))
    .flatMap((file) => valueExports(file).map((name) => ({ key: `${relative(file)}#${name}`, file: relative(file), name })))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function pagePatterns(): string[] {
  return walk(path.join(ROOT, "app"))
    .filter((f) => /\/page\.tsx?$/.test(f))
    .map(patternOf)
    .sort();
}

/** Files that declare a server action inside a function ("use server" not at the top): not covered by the registry. */
export function inlineServerActions(): string[] {
  return ["app", "components", "lib"]
    .flatMap((dir) => walk(path.join(ROOT, dir)))
    .filter((f) => /\.tsx?$/.test(f) && /^\s+["']use server["'];?\s*$/m.test(readFileSync(f, "utf8")))
    .map(relative);
}

/** The module of an entry, loaded through Vitest (so `vi.mock` applies). */
export const loadModule = (file: string) => import(/* @vite-ignore */ path.join(ROOT, file)) as Promise<Record<string, unknown>>;
