/** What can go wrong with a rule request; src/http/http-error.translation.ts says what the client sees. */

/** No rule has this id. */
export class RuleNotFoundError extends Error {
  constructor(id: string) {
    super(`no rule with id ${id}`);
  }
}

/** The rule cannot be added next to the ones in force: it exists already, or the cap is reached. */
export class RuleConflictError extends Error {}

/** Presets come from the configuration; the API cannot change them. */
export class PresetRuleError extends Error {}

/** The pattern is refused: too long, not RE2, or the whole rule set would not compile with it. */
export class InvalidRuleError extends Error {}

/** The rules cannot be read or changed right now (still loading, or Kafka away): retry shortly. */
export class RulesUnavailableError extends Error {}
