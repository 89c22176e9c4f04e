import { ValidateBy } from 'class-validator';

/** A cause is a short snake_case word: it becomes the `cause` label of a metric. */
export const CAUSE_PATTERN = '^[a-z][a-z0-9_]{0,31}$';
/** Causes one report may carry: with FORWARDERS_MAX, the bound on the dropped series. */
export const MAX_CAUSES = 16;

const CAUSE = new RegExp(CAUSE_PATTERN);

/** What is wrong with a map of counts by cause, or undefined when it is right. */
export function countsByCauseProblem(value: unknown, maxCount: number): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of counts by cause';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_CAUSES) return `must hold at most ${MAX_CAUSES} causes`;
  for (const [cause, count] of entries) {
    if (!CAUSE.test(cause)) {
      return `has a cause that is not a short snake_case word (${CAUSE_PATTERN})`;
    }
    if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > maxCount) {
      return `must count each cause with an integer from 0 to ${maxCount}`;
    }
  }
  return undefined;
}

/** Counts by cause, each cause a bounded label value. */
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
