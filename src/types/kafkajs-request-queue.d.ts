// The one kafkajs internal the service adjusts (see src/kafka/request-queue-checks.ts).
declare module 'kafkajs/src/network/requestQueue/index.js' {
  class RequestQueue {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: unknown;
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
  }
  export default RequestQueue;
}
