// The PromQL of the shipped monitoring, read from its one home in the chart: the Grafana
// dashboard's queries (its panels' and its variables') and the alert rules' expressions.
// scripts/check-monitoring.sh has promtool parse them; test/monitoring.test.ts checks that a
// running instance exports every metric they name.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Run from dist/scripts: the repository is two folders up. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = join(root, 'deploy', 'helm', 'kafka-events', 'files');
export const DASHBOARD_PATH = join(files, 'grafana-dashboard.json');
export const ALERT_RULES_PATH = join(files, 'alert-rules.yaml');

export interface Query {
  /** Where it stands, for messages: a panel's title and ref id, a variable, an alert. */
  where: string;
  /** Plain PromQL: Grafana's variables replaced. */
  expr: string;
}

/** What Grafana puts in for its variables: a duration for the intervals, match-all for ours. */
function withoutVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m')
    .replace(/\$__range_s\b/g, '300')
    .replace(/\$\{\w+(:\w+)?\}|\$\w+/g, '.*');
}

interface Panel {
  title?: string;
  targets?: { refId?: string; expr?: string }[];
  panels?: Panel[];
}

interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: string | { query?: string } }[] };
}

/** Every query of the dashboard: its panels' targets (rows' too) and its query variables'. */
export function dashboardQueries(path = DASHBOARD_PATH): Query[] {
  const dashboard = JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  const queries: Query[] = [];
  const visit = (panels: Panel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue;
        const where = `panel "${panel.title ?? ''}" ${target.refId ?? ''}`;
        queries.push({ where, expr: withoutVariables(target.expr) });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    // label_values(selector, label): the selector is the PromQL.
    const selector = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(text ?? '')?.[1];
    if (selector === undefined) throw new Error(`variable ${variable.name}: not label_values()`);
    queries.push({ where: `variable ${variable.name}`, expr: withoutVariables(selector) });
  }
  return queries;
}

/**
 * Every alert's and recording rule's expression. The file is ours: one `expr:` a line, a plain
 * or quoted scalar; a folded one is refused rather than read wrong.
 */
export function alertRuleQueries(path = ALERT_RULES_PATH): Query[] {
  const queries: Query[] = [];
  let name = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const rule = /^\s*-?\s*(alert|record):\s*(\S+)/.exec(line);
    if (rule) name = `${rule[1]} ${rule[2]}`;
    const expr = /^\s*expr:\s*(.*)$/.exec(line)?.[1]?.trim();
    if (expr === undefined) continue;
    if (/^[|>]/.test(expr)) throw new Error(`${name}: write its expr on one line`);
    const unquoted = /^'(.*)'$/.exec(expr)?.[1]?.replace(/''/g, "'") ?? /^"(.*)"$/.exec(expr)?.[1];
    queries.push({ where: name, expr: unquoted ?? expr });
  }
  return queries;
}
