// The common pieces' public face: other modules import from here, never from its files.
export { clientOf } from './client-address.js';
export { ExpiringDigests } from './expiring-digests.js';
export { ExpiringIds } from './expiring-ids.js';
export { type ErrorDetail, RetryLaterException } from './retry-later.exception.js';
