/**
 * The service holds as much as it may (in memory or on disk): the sender should come back later.
 * Thrown at once, before anything of the request is taken, so nothing acknowledged is dropped.
 */
export class BackpressureError extends Error {}
