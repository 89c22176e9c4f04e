import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests run from dist/test/support; the repository is three levels up. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
