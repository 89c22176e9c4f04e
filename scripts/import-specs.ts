// What each `npm run test:unit` process runs (scripts/test.sh starts one per core, each given every
// spec): it takes the next spec no other process has claimed yet and runs it to the end before the
// next, so that the cores stay busy until the last spec however long each one takes. Each spec's
// tests appear under its path; a spec that cannot even be imported fails there with the reason.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

/** Whether this process is the first to claim the spec: `mkdir` succeeds for one caller only. */
function claim(claims: string, index: number): boolean {
  try {
    mkdirSync(join(claims, String(index)));
    return true;
  } catch {
    return false;
  }
}

export async function runSpecs(paths: readonly string[], claims: string): Promise<void> {
  for (const [index, path] of paths.entries()) {
    if (!claim(claims, index)) continue;
    await describe(path, async () => {
      try {
        await import(pathToFileURL(path).href);
      } catch (error) {
        it('can be imported', () => {
          throw error;
        });
      }
    });
  }
}
