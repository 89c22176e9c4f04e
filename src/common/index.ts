// The common pieces' public face: other modules import from here, never from its files.
export { ExpiringDigests } from './expiring-digests.js';
export { ExpiringIds } from './expiring-ids.js';
