// The ingest module's public face: other modules import from here, never from its files.
export { EventTooLargeError, InvalidEventError } from './ingest-errors.js';
export { IngestModule } from './ingest.module.js';
export { ingestSettings, type IngestSettings } from './ingest.settings.js';
export { dtoProblems, validationProblems } from './validation-problems.js';
export { WebhookAdmittedGuard } from './webhook-admitted.guard.js';
export {
  isWebhookRoute,
  mediaTypeOf,
  WEBHOOK_ROUTE,
  type WebhookRequest,
} from './webhook-request.js';
