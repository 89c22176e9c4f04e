// Fails when a folder of src/ imports from a folder that imports it back, directly or round a
// longer loop: dependencies between the service's parts point one way (docs/architecture.md).
// Folders are src/'s first level (src/publisher/spool counts as src/publisher); the files at
// src/'s top (the composition root) may import any folder, and none may import them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Run from dist/scripts: the sources are two folders up.
const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const IMPORT = /\bfrom\s+'(\.[^']+)'|\bimport\s+'(\.[^']+)'/g;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const folderOf = (path: string): string => {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 ? parts[0] : '.';
};

/** folder -> folder -> one file that makes the edge, for the message. */
const edges = new Map<string, Map<string, string>>();
const problems: string[] = [];
for (const file of files(src)) {
  const from = folderOf(file);
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1] ?? match[2] ?? '.');
    if (!target.startsWith(src + sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    if (to === '.') problems.push(`${relative(src, file)} imports the composition root`);
    if (from === '.') continue;
    let targets = edges.get(from);
    if (!targets) edges.set(from, (targets = new Map<string, string>()));
    if (!targets.has(to)) targets.set(to, relative(src, file));
  }
}

/** A path of folders from `start` back to itself, if there is one. */
function loopFrom(start: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (folder: string, path: string[]): string[] | undefined => {
    for (const next of edges.get(folder)?.keys() ?? []) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

const reported = new Set<string>();
for (const folder of [...edges.keys()].sort()) {
  const loop = loopFrom(folder);
  if (!loop) continue;
  const key = [...loop.slice(0, -1)].sort().join(',');
  if (reported.has(key)) continue;
  reported.add(key);
  const steps = loop
    .slice(0, -1)
    .map((at, i) => `${at} -> ${loop[i + 1]} (${edges.get(at)?.get(loop[i + 1] ?? '')})`);
  problems.push(`import loop: ${steps.join(', ')}`);
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `no folder of src/ imports from one that imports it back (${edges.size} folders)\n`,
);
