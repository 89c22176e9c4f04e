import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import type { SourceImport } from './import-rules.js';

export interface ImportGraph {
  /** src/'s folders (its first level). */
  readonly folders: string[];
  /** Every import of one file of src/ by another. */
  readonly imports: SourceImport[];
}

/** What tsc compiles besides .ts: a module in .mts, .cts or .tsx imports as freely. */
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (TYPESCRIPT.test(entry.name)) yield path;
  }
}

const fromSrc = (src: string, path: string): string => relative(src, path).split(sep).join('/');

/**
 * The imports between the files of `src`, as TypeScript reads them (static, type-only,
 * re-exports and dynamic alike; comments and strings are not mistaken for imports).
 */
export function readImportGraph(srcPath: string): ImportGraph {
  const src = resolve(srcPath);
  const folders = readdirSync(src, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const imports: SourceImport[] = [];
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    for (const { fileName, pos } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName);
      if (!target.startsWith(src + sep)) continue;
      imports.push({
        file: fromSrc(src, file),
        line: text.slice(0, pos).split('\n').length,
        target: fromSrc(src, target),
      });
    }
  }
  return { folders, imports };
}
