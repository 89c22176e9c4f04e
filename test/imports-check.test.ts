import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LAYERS_END, LAYERS_START } from '../scripts/layer-list.js';
import { repoRoot } from './support/repo-root.js';

const work = mkdtempSync(join(tmpdir(), 'imports-check-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** `npm run imports:check`'s command, on another tree and document when given. */
function check(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'dist', 'scripts', 'check-imports.js'), ...args],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function plant(src: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
}

describe('npm run imports:check', () => {
  it('fails on a copy of src/ with a breach of each rule planted, naming each', () => {
    const src = join(work, 'planted', 'src');
    cpSync(join(repoRoot, 'src'), src, { recursive: true });
    plant(src, {
      'metrics/planted-deep.ts': "import { verbatim } from '../config/setting.js';\n",
      'filters/planted-edge.ts': "import { HttpEdgeModule } from '../http/index.js';\n",
      'kafka/planted-upward.ts': "export { HealthModule } from '../health/index.js';\n",
      'config/planted-loop.ts': "import type { LogLevel } from '../logging/index.js';\n",
      'common/planted-root.ts': "\n\nconst app = await import('../app.module.js');\n",
    });
    const { status, stderr } = check('--src', src);
    assert.equal(status, 1, stderr);
    for (const breach of [
      'public-face: metrics/planted-deep.ts:1 imports config/setting.js',
      'edge: filters/planted-edge.ts:1 imports http/index.js',
      'upward: kafka/planted-upward.ts:1 imports health/index.js',
      'cycle: import loop: config -> logging (config/planted-loop.ts:1), logging -> config',
      'root: common/planted-root.ts:3 imports app.module.js',
    ]) {
      assert.ok(stderr.includes(breach), `${breach} missing from:\n${stderr}`);
    }
  });

  it('passes a tree that keeps the rules, with the layers of its own document', () => {
    const tree = join(work, 'clean');
    plant(join(tree, 'src'), {
      'main.ts': "import { edge } from './http/index.js';\n",
      'http/index.ts': "export { edge } from './edge.js';\n",
      'http/edge.ts':
        "import { feature } from '../feature/index.js';\nexport const edge = feature;\n",
      'feature/index.ts': "export { feature } from './nested/feature.js';\n",
      'feature/nested/feature.ts':
        "import { base } from '../../base/index.js';\nexport const feature = base;\n",
      'base/index.ts': 'export const base = 1;\n',
    });
    const doc = join(tree, 'architecture.md');
    writeFileSync(
      doc,
      [
        LAYERS_START,
        '| Layer | Folders | What |',
        '| --- | --- | --- |',
        '| 1 | `src/*.ts` | root |',
        '| 2 | `http` | edge |',
        '| 3 | `feature` | feature |',
        '| 4 | `base` | base |',
        LAYERS_END,
      ].join('\n'),
    );
    const { status, stdout, stderr } = check('--src', join(tree, 'src'), '--doc', doc);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^5 imports of src\/ keep the rules of 4 layers \(3 folders\)\n$/);
  });
});
