// The probes' public face: the composition root imports the module, nothing else of it.
export { HealthModule } from './health.module.js';
