// The forwarders' public face: other modules import from here, never from its files.
export {
  CountersWentBackError,
  RunSupersededError,
  TooManyForwardersError,
} from './forwarder-registry.js';
export { ForwardersModule } from './forwarders.module.js';
export { forwardersSettings, type ForwardersSettings } from './forwarders.settings.js';
