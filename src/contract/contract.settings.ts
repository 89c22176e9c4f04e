import { oneOf, SettingsGroup, type SettingsOf } from '../config/index.js';

export const SCHEMA_VALIDATION_MODES = ['off', 'warn', 'enforce'] as const;
export type SchemaValidationMode = (typeof SCHEMA_VALIDATION_MODES)[number];

/** Whether permitted events are checked against the contract's content schemas (ContractModule's). */
export const contractSettings = new SettingsGroup(
  'Contract',
  {
    EVENT_SCHEMA_VALIDATION: oneOf('off', SCHEMA_VALIDATION_MODES).about(
      "checks each permitted event of a known family against its content schema (`/api/asyncapi.json`): `off`; `warn`: publishes it and counts it in `kafka_events_schema_mismatches_total{event}`; `enforce`: refuses the request with `400` naming the event's index and the failing schema path",
    ),
  },
  (env) => ({ schemaValidation: env.EVENT_SCHEMA_VALIDATION }),
);

export type ContractSettings = SettingsOf<typeof contractSettings>;
