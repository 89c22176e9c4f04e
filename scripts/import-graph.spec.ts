import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readImportGraph } from './import-graph.js';

describe('readImportGraph', () => {
  const src = join(mkdtempSync(join(tmpdir(), 'import-graph-')), 'src');
  after(() => rmSync(join(src, '..'), { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(join(src, path, '..'), { recursive: true });
    writeFileSync(join(src, path), text);
  };

  it('reads every TypeScript module tsc compiles: .mts, .cts and .tsx beside .ts', () => {
    write('kafka/produce-request.ts', 'export const request = 1;\n');
    write('ingest/a.ts', "import { request } from '../kafka/produce-request.js';\n");
    write('ingest/b.mts', "export { request } from '../kafka/produce-request.js';\n");
    write('ingest/c.cts', "import r = require('../kafka/produce-request.js');\n");
    write('ingest/d.tsx', "export * from '../kafka/produce-request.js';\n");
    const { folders, imports } = readImportGraph(src);
    assert.deepEqual(folders, ['ingest', 'kafka']);
    assert.deepEqual(
      imports.map(({ file, target }) => `${file} -> ${target}`).sort(),
      ['a.ts', 'b.mts', 'c.cts', 'd.tsx'].map(
        (name) => `ingest/${name} -> kafka/produce-request.js`,
      ),
    );
  });
});
