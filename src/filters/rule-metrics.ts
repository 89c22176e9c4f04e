import { Injectable } from '@nestjs/common';
import { EventMetrics } from '../metrics/index.js';
import { FilterService } from './filter.service.js';

/**
 * The rules in force and what each matched, read from FilterService when Prometheus scrapes, so
 * they cannot drift, and the hot path never touches a metric. One series per rule and outcome,
 * bounded by FILTER_MAX_RULES plus the presets; a deleted rule's series goes with it.
 */
@Injectable()
export class RuleMetrics {
  constructor(metrics: EventMetrics, filters: FilterService) {
    metrics.gauge({
      name: 'kafka_events_rules',
      help: 'Permission rules in force, presets included, by action.',
      labelNames: ['action'] as const,
      collect() {
        const rules = filters.list();
        for (const action of ['allow', 'deny'] as const) {
          this.set({ action }, rules.filter((rule) => rule.action === action).length);
        }
      },
    });
    metrics.counter({
      name: 'kafka_events_rule_hits_total',
      help: 'Events each rule matched on this instance, by outcome: allowed (published) or denied.',
      labelNames: ['rule', 'outcome'] as const,
      collect() {
        this.reset();
        for (const { id } of filters.list()) {
          const { allowed, denied } = filters.hitsOf(id);
          this.inc({ rule: id, outcome: 'allowed' }, allowed);
          this.inc({ rule: id, outcome: 'denied' }, denied);
        }
      },
    });
  }
}
