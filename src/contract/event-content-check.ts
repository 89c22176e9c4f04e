import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { EventMetrics } from '../metrics/index.js';
import { ContentSchemaValidator, type SchemaMismatch } from './content-schema-validator.js';
import { contractSettings, type ContractSettings } from './contract.settings.js';

/** EVENT_SCHEMA_VALIDATION applied to one permitted event on its way in. */
@Injectable()
export class EventContentCheck {
  /** Absent when off: nothing is compiled and nothing checked. */
  private readonly validator?: ContentSchemaValidator;
  private readonly enforce: boolean;
  private readonly mismatches?: Counter<'event'>;

  constructor(
    @Inject(contractSettings.token) { schemaValidation }: ContractSettings,
    metrics: EventMetrics,
  ) {
    this.enforce = schemaValidation === 'enforce';
    if (schemaValidation === 'off') return;
    this.validator = new ContentSchemaValidator();
    this.mismatches = metrics.counter({
      name: 'kafka_events_schema_mismatches_total',
      help: 'Permitted events of a known family whose content did not match its schema (EVENT_SCHEMA_VALIDATION), by event name.',
      // Bounded: only names a family lists are ever counted.
      labelNames: ['event'],
    });
  }

  /** The mismatch that refuses the event (enforce); in warn mode it is counted and let through. */
  refusalOf(name: string, content: unknown): SchemaMismatch | undefined {
    const mismatch = this.validator?.mismatchOf(name, content);
    if (!mismatch) return undefined;
    this.mismatches?.inc({ event: name });
    return this.enforce ? mismatch : undefined;
  }
}
