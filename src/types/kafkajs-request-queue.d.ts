// The one kafkajs internal the service adjusts (see src/kafka/request-queue-checks.ts), with
// what its spec drives of it.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  class RequestQueue {
    constructor(options: {
      maxInFlightRequests: number;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: Record<'debug' | 'warn' | 'error', () => void>;
    });
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: unknown;
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
    maybeThrottle(milliseconds: number): void;
    push(request: object): void;
    destroy(): void;
  }
  export default RequestQueue;
}
