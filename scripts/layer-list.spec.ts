import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LAYERS_END, LAYERS_START, layersOf } from './layer-list.js';

const table = (...rows: string[]): string =>
  [
    'Some text with `http` in it.',
    LAYERS_START,
    '',
    '| Layer | Folders | What they are |',
    '| ----- | ------- | ------------- |',
    ...rows,
    '',
    LAYERS_END,
    '| 9 | `after` | not a layer |',
  ].join('\n');

describe('layersOf', () => {
  it('reads the folders of each row between the marks, top first', () => {
    const markdown = table(
      '| 1 | `src/*.ts` | the root, with `main.ts` |',
      '| 2 | `http` | the edge |',
      '| 3 | `ingest`, `forwarders` | routes |',
    );
    assert.deepEqual(layersOf(markdown), [['.'], ['http'], ['ingest', 'forwarders']]);
  });

  it('refuses a document without the marks, an empty table, or a name that is no folder', () => {
    assert.throws(() => layersOf('| 1 | `http` | |'), /no table between/);
    assert.throws(() => layersOf(table()), /lists no folder/);
    assert.throws(() => layersOf(table('| 1 | `src/http` | |')), /src\/http is not a folder/);
  });

  it('reads docs/architecture.md: the root on top and http under it, as the rules expect', () => {
    // From the repository's root, where test.sh runs the specs, from scripts/ and dist/ alike.
    const layers = layersOf(readFileSync('docs/architecture.md', 'utf8'));
    assert.deepEqual(layers.slice(0, 2), [['.'], ['http']]);
    assert.ok(layers.flat().includes('kafka'));
  });
});
