import { readFileSync } from 'node:fs';

/**
 * Reads typed settings from an environment, collecting every problem instead of stopping at the
 * first, so an operator fixes a bad deployment in one round.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  get errors(): readonly string[] {
    return this.problems;
  }

  /** A value that is set but blank counts as unset: `FOO=` in a compose file means "default". */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string, check?: (value: string) => string | undefined): string {
    const value = this.raw(name) ?? fallback;
    const problem = check?.(value);
    if (problem) {
      this.fail(name, value, problem);
      return fallback;
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, value, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1' || value === 'yes') return true;
    if (value === 'false' || value === '0' || value === 'no') return false;
    this.fail(name, value, 'true or false');
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, value, `one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  json<T>(name: string, fallback: T, parse: (value: unknown) => T | string): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    let decoded: unknown;
    try {
      decoded = JSON.parse(value);
    } catch {
      this.fail(name, value, 'valid JSON');
      return fallback;
    }
    const parsed = parse(decoded);
    if (typeof parsed === 'string') {
      this.fail(name, value, parsed);
      return fallback;
    }
    return parsed;
  }

  /**
   * A secret from NAME, or from the file NAME_FILE names (a mounted Kubernetes secret). Its value
   * never appears in an error message.
   */
  secret(name: string, minLength = 16): string | undefined {
    const direct = this.raw(name);
    const path = this.raw(`${name}_FILE`);
    if (direct !== undefined && path !== undefined) {
      this.problems.push(`set ${name} or ${name}_FILE, not both`);
      return undefined;
    }
    let value = direct;
    if (path !== undefined) {
      value = this.readFile(`${name}_FILE`, path)?.trim();
      if (value === undefined) return undefined;
    }
    if (value !== undefined && value.length < minLength) {
      this.problems.push(`${name} is too short: at least ${minLength} characters`);
      return undefined;
    }
    return value;
  }

  /** The contents of a PEM file (certificate, key, CA bundle) that NAME points to. */
  pemFile(name: string): string | undefined {
    const path = this.raw(name);
    if (path === undefined) return undefined;
    const contents = this.readFile(name, path);
    if (contents === undefined) return undefined;
    if (!contents.includes('-----BEGIN ')) {
      this.problems.push(`${name}=${JSON.stringify(path)} is not a PEM file (no -----BEGIN line)`);
      return undefined;
    }
    return contents;
  }

  /** Records a problem that involves more than one variable. */
  conflict(message: string): void {
    this.problems.push(message);
  }

  private readFile(name: string, path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      this.problems.push(
        `${name}=${JSON.stringify(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return undefined;
    }
  }

  private fail(name: string, value: string, expected: string): void {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    this.problems.push(`${name}=${JSON.stringify(shown)} is not allowed: expected ${expected}`);
  }
}
