// The metric names a PromQL expression selects, read by a small lexer: what a selector names,
// never a function, an operator's keyword, a label, a string or a duration.

/** Words that are PromQL's own when they are not followed by `(`. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Keywords followed by a list of labels in parentheses. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** The index just past the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += quote !== '`' && text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new Error(`unclosed string in ${text}`);
  return i + 1;
}

/** The index just past the bracket that closes the one at `start`, strings skipped. */
function endOfGroup(text: string, start: number, close: string): number {
  let i = start + 1;
  while (i < text.length && text[i] !== close) {
    i = /["'`]/.test(text[i]) ? endOfString(text, i) : i + 1;
  }
  if (i >= text.length) throw new Error(`unclosed ${text[start]} in ${text}`);
  return i + 1;
}

export function metricNamesOf(expr: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '#') {
      i = expr.indexOf('\n', i) < 0 ? expr.length : expr.indexOf('\n', i);
    } else if (/["'`]/.test(c)) {
      i = endOfString(expr, i);
    } else if (c === '{') {
      const end = endOfGroup(expr, i, '}');
      // {__name__="..."}: a selector by its name alone.
      const named = /__name__\s*=\s*"([^"]+)"/.exec(expr.slice(i, end))?.[1];
      if (named) names.add(named);
      i = end;
    } else if (c === '[') {
      i = endOfGroup(expr, i, ']');
    } else if (/[0-9.]/.test(c)) {
      i += /^[0-9.][0-9a-zA-Z_.]*/.exec(expr.slice(i))?.[0].length ?? 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))?.[0] ?? c;
      i += word.length;
      const next = /^\s*(.)?/.exec(expr.slice(i))?.[1];
      if (LABEL_LISTS.has(word.toLowerCase()) && next === '(') {
        i = endOfGroup(expr, expr.indexOf('(', i), ')');
      } else if (next !== '(' && !KEYWORDS.has(word.toLowerCase())) {
        names.add(word);
      }
    } else {
      i++;
    }
  }
  return names;
}
