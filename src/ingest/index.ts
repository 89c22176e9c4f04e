// The ingest module's public face: other modules import from here, never from its files.
export { EventTooLargeError, InvalidEventError } from './ingest-errors.js';
export { IngestModule } from './ingest.module.js';
export { ingestSettings, type IngestSettings } from './ingest.settings.js';
export { RequestBodyReader } from './request-body-reader.js';
export { UnverifiedBodyBudget } from './unverified-body-budget.js';
export { dtoProblems, validationProblems } from './validation-problems.js';
export { WebhookGuard } from './webhook.guard.js';
export { isWebhookRoute, WEBHOOK_ROUTE } from './webhook-request.js';
export { WebhookRequestModule } from './webhook-request.module.js';
