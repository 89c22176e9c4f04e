// The ingest module's public face: other modules import from here, never from its files.
export { EventTooLargeError, InvalidEventError } from './ingest-errors.js';
export { IngestModule } from './ingest.module.js';
