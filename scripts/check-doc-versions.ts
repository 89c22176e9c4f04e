import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedVersions, versionStatements } from './doc-versions.js';

// Fails when the README, docs/ or the NApp's README state a package's version that
// package-lock.json does not install (the pinned Node included), naming file, line and both.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string>>;
const direct = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) =>
  Object.keys(manifest[field] ?? {}),
);
const installed = installedVersions(
  JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> },
);
const files = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'integrations/kytos-napp/README.md',
];

const statements = files.flatMap((file) => versionStatements(file, read(file), installed, direct));
const drift = statements.filter((statement) => !statement.holds);
for (const { file, line, name, stated, actual } of drift) {
  process.stderr.write(
    `${file}:${line}: ${name} ${stated} stated, ${actual.join(' and ')} installed\n`,
  );
}
if (drift.length > 0) process.exit(1);
process.stdout.write(
  `${statements.length} version statements in ${files.length} documents match package-lock.json\n`,
);
