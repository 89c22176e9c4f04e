import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidJsonPointerError, JsonPointer } from './json-pointer.js';

const event = {
  name: 'kytos/topology.switch.enabled',
  content: {
    switch: { dpid: '00:00:00:00:00:00:00:01' },
    'a/b': { 'm~n': 'escaped' },
    links: [{ id: 'first' }, { id: 'second' }],
  },
};

describe('JsonPointer', () => {
  it('resolves object members, array indexes and escaped tokens (RFC 6901)', () => {
    assert.equal(
      JsonPointer.parse('/content/switch/dpid').resolve(event),
      '00:00:00:00:00:00:00:01',
    );
    assert.equal(JsonPointer.parse('/content/links/1/id').resolve(event), 'second');
    assert.equal(JsonPointer.parse('/content/a~1b/m~0n').resolve(event), 'escaped');
    assert.equal(JsonPointer.parse('').resolve(event), event);
  });

  it('names nothing for a missing member, a bad index or a path through a scalar', () => {
    assert.equal(JsonPointer.parse('/content/evc/id').resolve(event), undefined);
    assert.equal(JsonPointer.parse('/content/links/01/id').resolve(event), undefined);
    assert.equal(JsonPointer.parse('/content/links/-').resolve(event), undefined);
    assert.equal(JsonPointer.parse('/name/length').resolve(event), undefined);
    assert.equal(JsonPointer.parse('/content/constructor').resolve(event), undefined);
  });

  it('refuses what is not a JSON Pointer', () => {
    assert.throws(() => JsonPointer.parse('content/switch'), InvalidJsonPointerError);
    assert.throws(() => JsonPointer.parse('/content/~2'), InvalidJsonPointerError);
    assert.throws(() => JsonPointer.parse('/content/~'), InvalidJsonPointerError);
    assert.throws(() => JsonPointer.parse(`/${'x'.repeat(300)}`), InvalidJsonPointerError);
  });
});
