import { Injectable } from '@nestjs/common';
import { EventMetrics } from '../metrics/index.js';
import { FilterService } from './filter.service.js';

/** The rules in force, read from FilterService when Prometheus scrapes, so they cannot drift. */
@Injectable()
export class RuleGauges {
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
  }
}
