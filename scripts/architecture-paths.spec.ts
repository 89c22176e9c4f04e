import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { missingNamedFiles } from './architecture-paths.js';

describe('missingNamedFiles', () => {
  it('names each file the document names that does not exist, once', () => {
    const doc =
      '| 1 | `src/http/front-door.ts` (`src/logging/request-context.ts`) |\n' +
      'then `src/kafka/produce-queue.ts`, again `src/kafka/produce-queue.ts`; `src/json` is a folder';
    const exists = (path: string): boolean => path !== 'src/kafka/produce-queue.ts';
    assert.deepEqual(missingNamedFiles(doc, exists), ['src/kafka/produce-queue.ts']);
  });

  it('finds every file docs/architecture.md names in src/', () => {
    // From the repository's root, where test.sh runs the specs.
    const doc = readFileSync('docs/architecture.md', 'utf8');
    assert.deepEqual(missingNamedFiles(doc, existsSync), []);
  });
});
