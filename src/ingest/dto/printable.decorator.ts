import { Matches } from 'class-validator';

/**
 * Text without C0 or C1 control characters (U+0000-U+001F, U+007F-U+009F), which CloudEvents
 * forbids in attributes. These strings become Kafka headers and keys; a consumer that copies them
 * into HTTP headers or log lines would inherit CR, LF or NUL.
 */
export const PRINTABLE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

export function Printable(): PropertyDecorator {
  return Matches(new RegExp(PRINTABLE_PATTERN), {
    message: 'must not hold control characters (U+0000 to U+001F, U+007F to U+009F)',
  });
}
