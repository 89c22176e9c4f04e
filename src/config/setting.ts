import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The kinds of environment variable the service reads, each a zod field with what the settings
 * table shows of it. A bad value adds an issue (its message says what is expected) and stands in
 * with the default, so that the checks across variables still run and every problem is reported
 * in one round. An issue marked `verbatim` is a whole sentence already; the others are worded by
 * loadSettings as `NAME="value" is not allowed: expected <message>`.
 */

type Context = z.RefinementCtx;

const unset = z.string().optional();

/** One environment variable: how it is read, and what the settings table says of it. */
export class Setting<T> {
  constructor(
    readonly schema: z.ZodType<T, string | undefined>,
    /** The default as the table shows it; undefined: unset unless given. */
    readonly shownDefault: string | undefined,
    readonly description = '',
  ) {}

  /** The same setting, described for the table (and its default worded, where a value says little). */
  about(description: string, shownDefault = this.shownDefault): Setting<T> {
    return new Setting(this.schema, shownDefault, description);
  }
}

function setting<T>(
  schema: z.ZodType<T, string | undefined>,
  shownDefault?: string | number | boolean,
): Setting<T> {
  return new Setting(schema, shownDefault === undefined ? undefined : String(shownDefault));
}

export function expected(ctx: Context, message: string): void {
  ctx.addIssue({ code: 'custom', message });
}

export function verbatim(ctx: Context, message: string, path: string[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, params: { verbatim: true } });
}

function checked(
  value: string | undefined,
  check: ((value: string) => string | undefined) | undefined,
  ctx: Context,
): string | undefined {
  const problem = value === undefined ? undefined : check?.(value);
  if (problem) expected(ctx, problem);
  return problem ? undefined : value;
}

/** A value with no default: undefined when unset. */
export function optionalText(check?: (value: string) => string | undefined) {
  return setting(unset.transform((value, ctx) => checked(value, check, ctx)));
}

// One transform each, not a default chained behind: zod skips a chained transform once a field
// has an issue, and the checks across variables would then see undefined instead of the default.
export function text(fallback: string, check?: (value: string) => string | undefined) {
  return setting(
    unset.transform((value, ctx) => checked(value, check, ctx) ?? fallback),
    fallback,
  );
}

export function integer(fallback: number, min: number, max: number) {
  return setting(
    unset.transform((value, ctx) => readInteger(value, min, max, ctx) ?? fallback),
    fallback,
  );
}

/** An integer with no default: undefined when unset. */
export function optionalInteger(min: number, max: number) {
  return setting(unset.transform((value, ctx) => readInteger(value, min, max, ctx)));
}

function readInteger(
  value: string | undefined,
  min: number,
  max: number,
  ctx: Context,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    expected(ctx, `an integer from ${min} to ${max}`);
    return undefined;
  }
  return Number(value);
}

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

function readBoolean(value: string | undefined, ctx: Context): boolean | undefined {
  const lower = value?.toLowerCase();
  if (lower === undefined) return undefined;
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  expected(ctx, 'true or false');
  return undefined;
}

/** undefined when unset, for defaults that depend on another setting. */
export function optionalBoolean() {
  return setting(unset.transform(readBoolean));
}

export function boolean(fallback: boolean) {
  return setting(
    unset.transform((value, ctx) => readBoolean(value, ctx) ?? fallback),
    fallback,
  );
}

/** Case-insensitive: `ZSTD` is `zstd`. */
export function oneOf<const T extends string>(fallback: T, allowed: readonly T[]) {
  return setting(
    unset.transform((value, ctx): T => {
      const lower = value?.toLowerCase();
      if (lower === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(lower)) {
        expected(ctx, `one of ${allowed.join(', ')}`);
        return fallback;
      }
      return lower as T;
    }),
    fallback,
  );
}

/** JSON whose shape `parse` checks (its answer is a string saying what is expected otherwise). */
export function json<T>(fallback: T, parse: (value: unknown) => T | string) {
  return setting(jsonField(fallback, parse), JSON.stringify(fallback));
}

function jsonField<T>(fallback: T, parse: (value: unknown) => T | string) {
  return unset.transform((value, ctx): T => {
    if (value === undefined) return fallback;
    let decoded: unknown;
    try {
      decoded = JSON.parse(value);
    } catch {
      expected(ctx, 'valid JSON');
      return fallback;
    }
    const parsed = parse(decoded);
    if (typeof parsed === 'string') {
      expected(ctx, parsed);
      return fallback;
    }
    return parsed;
  });
}

/** The contents of the file the variable names (a mounted secret, a PEM file); never echoed. */
export function fileContents(name: string) {
  return setting(
    unset.transform((path, ctx) => (path === undefined ? undefined : read(name, path, ctx))),
  );
}

/** A PEM file (certificate, key, CA bundle) the variable names. */
export function pemFile(name: string) {
  return setting(
    unset.transform((path, ctx) => {
      if (path === undefined) return undefined;
      const contents = read(name, path, ctx);
      if (contents === undefined || contents.includes('-----BEGIN ')) return contents;
      verbatim(ctx, `${name}=${JSON.stringify(path)} is not a PEM file (no -----BEGIN line)`);
      return undefined;
    }),
  );
}

function read(name: string, path: string, ctx: Context): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    verbatim(
      ctx,
      `${name}=${JSON.stringify(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
    return undefined;
  }
}

/**
 * A secret given as NAME or in the file NAME_FILE (a Kubernetes secret), checked for length.
 * Its value never appears in a message.
 */
export function secret(
  ctx: Context,
  name: string,
  direct: string | undefined,
  fromFile: string | undefined,
  minLength = 16,
): string | undefined {
  if (direct !== undefined && fromFile !== undefined) {
    verbatim(ctx, `set ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  const value = direct ?? fromFile?.trim();
  if (value !== undefined && value.length < minLength) {
    verbatim(ctx, `${name} is too short: at least ${minLength} characters`);
    return undefined;
  }
  return value;
}
