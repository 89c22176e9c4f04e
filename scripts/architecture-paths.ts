/**
 * The files of src/ that docs/architecture.md names (`src/...` in backticks, as its event-path
 * tables and sections write them) and that do not exist: the document is the picture of the code,
 * so a file moved or renamed without it is a breach like an import against its layers.
 */
export function missingNamedFiles(doc: string, exists: (path: string) => boolean): string[] {
  const named = new Set<string>();
  for (const match of doc.matchAll(/`(src\/[\w./-]+\.ts)`/g)) named.add(match[1] ?? '');
  return [...named].filter((path) => !exists(path)).sort();
}
