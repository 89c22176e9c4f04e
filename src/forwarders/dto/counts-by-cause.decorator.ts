import { ValidateBy } from 'class-validator';

/**
 * Why a NApp drops an event (its ForwarderStats): the `cause` label of
 * kafka_events_forwarder_dropped_total, a fixed set so that a sender cannot grow the series.
 */
export const DROP_CAUSES = [
  'queue_full',
  'rejected',
  'too_large',
  'shutdown',
  'unserializable',
] as const;
export type DropCause = (typeof DROP_CAUSES)[number];

const KNOWN_CAUSES: ReadonlySet<string> = new Set(DROP_CAUSES);

/** What is wrong with a map of counts by cause, or undefined when it is right. */
export function countsByCauseProblem(value: unknown, maxCount: number): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of counts by cause';
  }
  for (const [cause, count] of Object.entries(value)) {
    if (!KNOWN_CAUSES.has(cause)) {
      return `has a cause that is not one of ${DROP_CAUSES.join(', ')}`;
    }
    if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > maxCount) {
      return `must count each cause with an integer from 0 to ${maxCount}`;
    }
  }
  return undefined;
}

/** Counts by cause, each cause one of DROP_CAUSES. */
export function CountsByCause(maxCount: number): PropertyDecorator {
  return ValidateBy({
    name: 'countsByCause',
    validator: {
      validate: (value: unknown) => countsByCauseProblem(value, maxCount) === undefined,
      defaultMessage: (args) =>
        `${args?.property ?? 'dropped'} ${countsByCauseProblem(args?.value, maxCount) ?? ''}`,
    },
  });
}
