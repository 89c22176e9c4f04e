import { Matches } from 'class-validator';
import { CONTROL_CHARACTER_RANGES } from '../../publisher/index.js';

/** Text without control characters: these strings become Kafka headers and keys. */
export const PRINTABLE_PATTERN = `^[^${CONTROL_CHARACTER_RANGES}]*$`;

export function Printable(): PropertyDecorator {
  return Matches(new RegExp(PRINTABLE_PATTERN), {
    message: 'must not hold control characters (U+0000 to U+001F, U+007F to U+009F)',
  });
}
