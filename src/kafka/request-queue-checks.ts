import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

let applied = false;

/**
 * kafkajs 2.2.4, its last release, re-arms a timer on every broker connection's request queue
 * after each check, also when nothing waits (tulios/kafkajs#1556, #1704; the fixes were never
 * merged): with the throttle unset the delay is negative, so the timer fires every millisecond.
 * An idle service woke hundreds of times a second for nothing. A check is only
 * of use while requests wait (for the in-flight limit) or a broker's throttle runs; otherwise
 * none is scheduled, and the next request is sent as it comes, as before.
 */
export function stopIdleRequestQueueChecks(): void {
  if (applied) return;
  applied = true;
  const schedule = RequestQueue.prototype.scheduleCheckPendingRequests;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
}
