// The contract's public face: other modules import from here, never from its files.
export { buildAsyncApiDocument, RECORD_SCHEMA, SCHEMA_FORMAT } from './asyncapi-document.js';
export { ASYNCAPI_DOCUMENT_PATH, ASYNCAPI_PAGE_PATH } from './contract.controller.js';
export { ContractModule } from './contract.module.js';
export { contractSettings, type ContractSettings } from './contract.settings.js';
export { EventContentCheck } from './event-content-check.js';
export type { SchemaMismatch } from './content-schema-validator.js';
