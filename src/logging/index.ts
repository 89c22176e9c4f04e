// The logging folder's public face: other folders import from here, never from its files.
export {
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  loggingSettings,
  type LoggingSettings,
} from './logging.settings.js';
export { answeredRequestId, requestContext } from './request-context.js';
export { pathOf } from './request-path.js';
