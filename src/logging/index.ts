// The logging pieces' public face: other modules import from here, never from its files.
export {
  LOG_LEVELS,
  type LogLevel,
  loggingSettings,
  type LoggingSettings,
} from './logging.settings.js';
export { answeredRequestId, requestContext } from './request-context.js';
export { pathOf } from './request-path.js';
