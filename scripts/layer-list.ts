import { ROOT } from './import-rules.js';

// The layers have one home, a table in docs/architecture.md between these two lines; the
// import check reads them from there, so the document and the check cannot differ.
export const LAYERS_START =
  '<!-- layers: top to bottom; npm run imports:check reads this table -->';
export const LAYERS_END = '<!-- /layers -->';

const FOLDER = /^[a-z][a-z0-9-]*$/;

/**
 * The layers the table lists, top first: each row's second cell names its folders of src/ in
 * backticks (`src/*.ts` for the composition root).
 */
export function layersOf(markdown: string): string[][] {
  const start = markdown.indexOf(LAYERS_START);
  const end = markdown.indexOf(LAYERS_END, start);
  if (start < 0 || end < 0) throw new Error(`no table between ${LAYERS_START} and ${LAYERS_END}`);
  const layers: string[][] = [];
  for (const row of markdown.slice(start + LAYERS_START.length, end).split('\n')) {
    const cell = row.split('|')[2] ?? '';
    const names = [...cell.matchAll(/`([^`]+)`/g)].map(([, name = '']) => name);
    if (names.length === 0) continue;
    layers.push(
      names.map((name) => {
        if (name === 'src/*.ts') return ROOT;
        if (!FOLDER.test(name)) throw new Error(`layer table: ${name} is not a folder of src/`);
        return name;
      }),
    );
  }
  if (layers.length === 0) throw new Error('the layer table lists no folder');
  return layers;
}
