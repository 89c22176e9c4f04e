import { oneOf, SettingsGroup, type SettingsOf } from '../config/index.js';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What is logged, and how it is written. */
export const loggingSettings = new SettingsGroup(
  'Logging',
  {
    LOG_LEVEL: oneOf('log', LOG_LEVELS).about(
      "`error`, `warn`, `log`, `debug` or `verbose` (kafkajs' own log lines at `debug`+)",
    ),
    LOG_FORMAT: oneOf('json', LOG_FORMATS).about(
      "`json`: one JSON object per line, with `requestId` (for log collectors); `text`: Nest's coloured lines",
    ),
  },
  (env) => ({
    level: env.LOG_LEVEL,
    /** `json`: one JSON object per line, for log collectors; `text`: Nest's coloured lines, for people. */
    format: env.LOG_FORMAT,
  }),
);

export type LoggingSettings = SettingsOf<typeof loggingSettings>;
