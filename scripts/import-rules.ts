// The rules that imports between the folders of src/ keep (docs/architecture.md, "Modules and
// the way their dependencies point"), as a pure function of the import graph and the layers, so
// a spec can plant each breach and see it reported.

/** The files at src/'s top: the composition root, one folder of its own for these rules. */
export const ROOT = '.';

/** One import made by a file of src/; both paths relative to src/, with '/' between parts. */
export interface SourceImport {
  /** The importing file, e.g. `publisher/spool/spool.ts`. */
  readonly file: string;
  readonly line: number;
  /** The imported file, resolved, e.g. `kafka/index.js`. */
  readonly target: string;
}

export type Rule = 'placement' | 'public-face' | 'edge' | 'upward' | 'root' | 'cycle';

export interface Breach {
  readonly rule: Rule;
  readonly message: string;
}

/** The folder a path of src/ belongs to: its first part (src/publisher/spool counts as publisher). */
export function folderOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? ROOT : path.slice(0, slash);
}

const isPublicFace = (target: string, folder: string): boolean =>
  target.replace(/\.(js|ts)$/, '') === `${folder}/index`;

const named = (folder: string): string => (folder === ROOT ? 'the composition root' : folder);

/**
 * Every breach of the rules by `imports`, given src/'s folders and the layers, top first, each a
 * set of folders. Folders of one layer may import each other as long as no loop forms; the layer
 * under the root (the edge, `http`) is imported by the root alone.
 */
export function importBreaches(
  imports: readonly SourceImport[],
  folders: readonly string[],
  layers: readonly (readonly string[])[],
): Breach[] {
  const breaches: Breach[] = [];
  const layerOf = new Map<string, number>();
  layers.forEach((layer, index) => {
    for (const folder of layer) {
      if (layerOf.has(folder)) {
        breaches.push({ rule: 'placement', message: `${named(folder)} is in two layers` });
      } else layerOf.set(folder, index);
    }
  });
  if (layers[0]?.length !== 1 || layers[0][0] !== ROOT) {
    breaches.push({ rule: 'placement', message: 'the first layer is the composition root alone' });
  }
  const existing = new Set([ROOT, ...folders]);
  for (const folder of existing) {
    if (!layerOf.has(folder)) {
      breaches.push({ rule: 'placement', message: `${named(folder)} is in no layer` });
    }
  }
  for (const folder of layerOf.keys()) {
    if (!existing.has(folder)) {
      breaches.push({ rule: 'placement', message: `layer folder ${folder} is not in src/` });
    }
  }

  /** folder -> folder -> one import that makes the edge, for the message. */
  const edges = new Map<string, Map<string, string>>();
  for (const { file, line, target } of imports) {
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    const at = `${file}:${line} imports ${target}`;
    const breach = (rule: Rule, why: string): void => {
      breaches.push({ rule, message: `${at}: ${why}` });
    };
    if (to === ROOT) {
      breach('root', 'nothing imports the composition root');
      continue;
    }
    if (!isPublicFace(target, to)) breach('public-face', `import ${to}/index.js, its public face`);
    const fromLayer = layerOf.get(from);
    const toLayer = layerOf.get(to);
    if (fromLayer !== undefined && toLayer !== undefined) {
      if (toLayer === 1 && fromLayer !== 0) {
        breach('edge', `only the composition root imports ${to}, the edge every route shares`);
      } else if (toLayer < fromLayer) {
        breach(
          'upward',
          `${named(from)} (layer ${fromLayer + 1}) is below ${to} (layer ${toLayer + 1})`,
        );
      }
    }
    let targets = edges.get(from);
    if (!targets) edges.set(from, (targets = new Map<string, string>()));
    if (!targets.has(to)) targets.set(to, `${file}:${line}`);
  }
  breaches.push(...loops(edges));
  return breaches;
}

/** One breach per set of folders that import each other round a loop. */
function loops(edges: ReadonlyMap<string, ReadonlyMap<string, string>>): Breach[] {
  const loopFrom = (start: string): string[] | undefined => {
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
  };
  const breaches: Breach[] = [];
  const reported = new Set<string>();
  for (const folder of [...edges.keys()].sort()) {
    const loop = loopFrom(folder);
    if (!loop) continue;
    const key = loop.slice(0, -1).sort().join(',');
    if (reported.has(key)) continue;
    reported.add(key);
    const steps = loop
      .slice(0, -1)
      .map((at, i) => `${at} -> ${loop[i + 1]} (${edges.get(at)?.get(loop[i + 1] ?? '')})`);
    breaches.push({ rule: 'cycle', message: `import loop: ${steps.join(', ')}` });
  }
  return breaches;
}
