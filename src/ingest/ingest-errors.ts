/** What the sender did wrong; src/http/http-error.translation.ts says what it is answered. */

/** Where in a batch a problem is (`index` 0 for a single event). */
export interface EventProblem {
  index?: number;
  field: string;
  reason: string;
}

/** The body, or an event in it, is not a valid Kytos event: nothing of the request is taken. */
export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly problems: EventProblem[] = [],
  ) {
    super(message);
  }
}

/** The batch, or one event as a Kafka record, is larger than the service takes. */
export class EventTooLargeError extends Error {
  constructor(
    message: string,
    readonly problems: EventProblem[] = [],
  ) {
    super(message);
  }
}
