// What each `npm run test:unit` process runs (scripts/test.sh writes one entry per core, each naming
// its share of the specs): imports the specs in turn, so that their tests run in this process, and
// reports a spec that cannot even be imported as a failed test of its own name, the others still run.
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

export async function importSpecs(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      await import(pathToFileURL(path).href);
    } catch (error) {
      test(path, () => {
        throw error;
      });
    }
  }
}
