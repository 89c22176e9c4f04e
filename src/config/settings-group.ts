import { z } from 'zod';
import type { Setting } from './setting.js';

type Fields = Record<string, Setting<unknown>>;

/** The values of a group's variables, as read: `{KAFKA_TOPIC: string, ...}`. */
export type ValuesOf<F extends Fields> = {
  [K in keyof F]: F[K] extends Setting<infer T> ? T : never;
};

/**
 * The settings one part of the service owns: its environment variables (each with its default
 * and its description, from which the README's table is written), the checks across them, and
 * the typed slice that part receives, under its own injection token.
 */
export class SettingsGroup<F extends Fields = Fields, S = unknown> {
  readonly token: symbol;

  constructor(
    /** The heading of the group in the settings table. */
    readonly title: string,
    readonly fields: F,
    /** Arranges the values into the slice; runs only once every variable checked out. */
    readonly build: (values: ValuesOf<F>, ctx: z.RefinementCtx) => S,
    /** Checks across this group's variables; runs even when one was refused, to say all at once. */
    readonly check: (values: ValuesOf<F>, ctx: z.RefinementCtx) => void = () => undefined,
  ) {
    this.token = Symbol(`${title} settings`);
  }

  /** This group alone, read from `env` (its slice, or a ConfigError naming every problem). */
  parse(env: Environment): S {
    return loadSettings(env, { only: this }).only;
  }
}

/** Any group, whatever its variables: what loading and the settings table need of one. */
export interface AnySettingsGroup {
  readonly title: string;
  readonly token: symbol;
  readonly fields: Fields;
  build(values: never, ctx: z.RefinementCtx): unknown;
  check(values: never, ctx: z.RefinementCtx): void;
}

/** The slice a group hands to the part that owns it. */
export type SettingsOf<G> = G extends { build(values: never, ctx: never): infer S } ? S : never;

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks every group's variables in one round, then `checkAcross` (checks between
 * groups, given every value read); throws a ConfigError listing every problem at once.
 */
export function loadSettings<G extends Record<string, AnySettingsGroup>>(
  env: Environment,
  groups: G,
  checkAcross: (values: Record<string, unknown>, ctx: z.RefinementCtx) => void = () => undefined,
): { [K in keyof G]: SettingsOf<G[K]> } {
  // A value that is set but blank counts as unset: `FOO=` in a compose file means "default".
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') given[name] = value.trim();
  }
  const shape: Record<string, z.ZodType> = {};
  for (const group of Object.values(groups)) {
    for (const [name, setting] of Object.entries(group.fields)) shape[name] = setting.schema;
  }
  const schema = z
    .object(shape)
    // Runs even when a variable was refused (it then holds its default): all problems at once.
    .superRefine(
      (values, ctx) => {
        for (const group of Object.values(groups)) group.check(values as never, ctx);
        checkAcross(values, ctx);
      },
      { when: () => true },
    )
    .transform((values, ctx) => {
      const slices: Record<string, unknown> = {};
      for (const [key, group] of Object.entries(groups)) {
        slices[key] = group.build(values as never, ctx);
      }
      return slices as { [K in keyof G]: SettingsOf<G[K]> };
    });
  const parsed = schema.safeParse(given);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => explain(i, given)));
  return parsed.data;
}

function explain(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const { verbatim } = (issue as { params?: { verbatim?: boolean } }).params ?? {};
  const [name] = issue.path;
  if (verbatim || typeof name !== 'string') return issue.message;
  const value = env[name] ?? '';
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `${name}=${JSON.stringify(shown)} is not allowed: expected ${issue.message}`;
}
