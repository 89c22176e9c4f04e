import { loadAppConfig } from '../src/app.settings.js';
import { FilterRule } from '../src/filters/filter-rule.js';
import { FilterService } from '../src/filters/filter.service.js';
import type { TopicAdmin } from '../src/kafka/index.js';
import { InMemoryRuleStore } from '../src/filters/rule-store.js';

export interface DecisionRow {
  rules: number;
  buildMs: number;
  coldPerSecond: number;
  warmPerSecond: number;
  /** GET /filters/dry-run's work: the decision and every rule behind it, uncached. */
  explainPerSecond: number;
  ruleByRulePerSecond: number;
}

const NAMES = 10_000;

/** Realistic names: a few NApps, many distinct events; some match the rules, most do not. */
const names = Array.from(
  { length: NAMES },
  (_, i) => `kytos/napp_${i % 40}.event_${i}.${i % 7 === 0 ? 'out' : 'in'}`,
);

/** `count` rules, one in ten a deny rule, every pattern different (as operators write them). */
function rulesOf(count: number): FilterRule[] {
  return Array.from({ length: count }, (_, i) =>
    FilterRule.create(
      `kytos/napp_${i}\\.event_\\d+\\.${i % 10 === 9 ? 'out' : '(in|out)'}`,
      '',
      true,
      i % 10 === 9 ? 'deny' : 'allow',
    ),
  );
}

function perSecond(run: () => void, operations: number): number {
  const started = performance.now();
  run();
  return operations / ((performance.now() - started) / 1000);
}

export async function benchDecisions(): Promise<DecisionRow[]> {
  const rows: DecisionRow[] = [];
  for (const count of [1, 100, 1000]) {
    const store = new InMemoryRuleStore();
    const rules = rulesOf(count);
    for (const rule of rules) await store.add(rule);
    const config = loadAppConfig({
      AUTH_DISABLED: 'true',
      FILTER_PRESETS: '[]',
      FILTER_MAX_RULES: '100000',
    });
    const started = performance.now();
    // No rule here routes to a topic of its own: the topic admin is never asked.
    const filters = new FilterService(config.filters, config.kafka, store, {} as TopicAdmin);
    const buildMs = performance.now() - started;
    let permitted = 0;
    const pass = () => {
      for (const name of names) if (filters.decide(name)) permitted++;
    };
    const coldPerSecond = perSecond(pass, NAMES);
    const warmPerSecond = perSecond(pass, NAMES);
    const explainPerSecond = perSecond(() => {
      for (const name of names) if (filters.explain(name).published) permitted++;
    }, NAMES);
    // What the cache and the one RE2 set save: every rule tried on every event.
    const sample = names.slice(0, count >= 1000 ? 500 : 5000);
    const ruleByRulePerSecond = perSecond(() => {
      for (const name of sample) {
        const matching = rules.filter((rule) => rule.matches(name));
        if (
          matching.some((rule) => rule.action === 'allow') &&
          !matching.some((rule) => rule.action === 'deny')
        )
          permitted++;
      }
    }, sample.length);
    if (permitted < 0) throw new Error('unreachable: keeps the loops from being optimized away');
    rows.push({
      rules: count,
      buildMs,
      coldPerSecond,
      warmPerSecond,
      explainPerSecond,
      ruleByRulePerSecond,
    });
  }
  return rows;
}
