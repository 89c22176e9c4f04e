import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSync } from 'class-validator';
import { CreateFilterDto } from '../filters/index.js';
import { validationProblems } from './validation-problems.js';

function problemsOf(body: object) {
  return validationProblems(validateSync(Object.assign(new CreateFilterDto(), body)));
}

describe('validationProblems', () => {
  it('names the type problem first, in the words of the DTO, which name the field', () => {
    assert.deepEqual(problemsOf({}), [{ field: 'pattern', reason: 'pattern must be a string' }]);
    assert.deepEqual(problemsOf({ pattern: 'a', action: 'x' }), [
      { field: 'action', reason: 'action must be one of the following values: allow, deny' },
    ]);
  });
});
