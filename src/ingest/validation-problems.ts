import { validateSync, type ValidationError } from 'class-validator';

/** One problem of a request body, as the error shape lists it in `details`. */
export interface ValidationProblem {
  field: string;
  reason: string;
}

/** The type is named before any other problem of the same field: "must be a string", not "too long". */
const CONSTRAINT_ORDER = ['isString', 'isObject', 'isNotEmpty', 'maxLength', 'isUuid', 'isRFC3339'];

/** class-validator's errors as the problems every endpoint reports, one per field, in its DTO's words. */
export function validationProblems(errors: readonly ValidationError[]): ValidationProblem[] {
  return errors.map((error) => {
    const constraints = error.constraints ?? {};
    const first = CONSTRAINT_ORDER.find((name) => name in constraints);
    const reason = first ? constraints[first] : Object.values(constraints)[0];
    return { field: error.property, reason: reason ?? 'is invalid' };
  });
}

/**
 * Validates a DTO whose messages leave the field out (the details name it): an absent field is
 * "is required", whatever its first constraint says.
 */
export function dtoProblems(dto: object): ValidationProblem[] {
  return validationProblems(validateSync(dto)).map((problem) =>
    (dto as Record<string, unknown>)[problem.field] === undefined
      ? { field: problem.field, reason: 'is required' }
      : problem,
  );
}
