/**
 * The webhook bodies RequestBodyReader verified and parsed, by request. Only the reader writes
 * here, and a request is forgotten with it: what the route takes as the webhook's body was
 * authenticated, never a flag anything else on the request could set.
 */
const verifiedBodies = new WeakMap<object, unknown>();

export function keepVerifiedBody(request: object, body: unknown): void {
  verifiedBodies.set(request, body);
}

/** The verified body of `request`, or undefined when the webhook's reader did not read it. */
export function verifiedBodyOf(request: object): { body: unknown } | undefined {
  return verifiedBodies.has(request) ? { body: verifiedBodies.get(request) } : undefined;
}
