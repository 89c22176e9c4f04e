// Prints a Prometheus rule file (JSON, which YAML reads) with one recording rule per query of
// the dashboard: `promtool check rules` on it parses every query (scripts/check-monitoring.sh).
import { dashboardQueries } from './monitoring-queries.js';

// The dashboard's path may be given (check-monitoring.sh's broken copy); the chart's by default.
const rules = dashboardQueries(process.argv[2]).map(({ where, expr }, index) => ({
  record: `dashboard_query_${index + 1}`,
  expr,
  // Beside promtool's message, which names the rule only by its number.
  labels: { query: where },
}));
process.stdout.write(`${JSON.stringify({ groups: [{ name: 'dashboard', rules }] }, null, 2)}\n`);
