// The settings machinery's public face: other modules import from here, never from its files.
export { ConfigModule } from './config.module.js';
export {
  boolean,
  fileContents,
  integer,
  json,
  oneOf,
  optionalBoolean,
  optionalInteger,
  optionalText,
  pemFile,
  secret,
  text,
  verbatim,
} from './setting.js';
export {
  type AnySettingsGroup,
  ConfigError,
  type Environment,
  loadSettings,
  SettingsGroup,
  type SettingsOf,
  type ValuesOf,
} from './settings-group.js';
