// Fails when an import between the folders of src/ breaks a rule of docs/architecture.md
// ("Modules and the way their dependencies point"): another folder is reached through its
// index.ts only, no feature imports src/http, no folder imports one of a layer above its own, no
// folders import each other round a loop, nothing imports the composition root. The layers are
// read from the table in that document; every file of src/ it names must exist. `--src` and
// `--doc` point it at another tree.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { missingNamedFiles } from './architecture-paths.js';
import { readImportGraph } from './import-graph.js';
import { importBreaches } from './import-rules.js';
import { layersOf } from './layer-list.js';

// Run from dist/scripts: the repository is two folders up.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    src: { type: 'string', default: resolve(repo, 'src') },
    doc: { type: 'string', default: resolve(repo, 'docs', 'architecture.md') },
  },
});
const { src, doc } = values;

const text = readFileSync(doc, 'utf8');
const layers = layersOf(text);
const { folders, imports } = readImportGraph(src);
const breaches = [
  ...importBreaches(imports, folders, layers),
  ...missingNamedFiles(text, (path) => existsSync(resolve(src, '..', path))).map((path) => ({
    rule: 'named file',
    message: `the document names ${path}, which does not exist`,
  })),
];
if (breaches.length > 0) {
  const lines = breaches
    .map(({ rule, message }) => `${rule}: ${message}`)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  process.stderr.write(
    `${lines.join('\n')}\n${breaches.length} breaches of the import rules of docs/architecture.md\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `${imports.length} imports of src/ keep the rules of ${layers.length} layers (${folders.length} folders)\n`,
);
