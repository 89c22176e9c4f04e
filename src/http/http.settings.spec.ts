import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/index.js';
import { httpSettings } from './http.settings.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    httpSettings.parse(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('httpSettings: the management port', () => {
  it('is off unless MANAGEMENT_PORT is set: one port serves everything', () => {
    assert.equal(httpSettings.parse({}).management, undefined);
  });

  it('listens on HOST unless MANAGEMENT_HOST says otherwise', () => {
    assert.deepEqual(httpSettings.parse({ HOST: '0.0.0.0', MANAGEMENT_PORT: '9090' }).management, {
      port: 9090,
      host: '0.0.0.0',
    });
    assert.deepEqual(
      httpSettings.parse({ HOST: '0.0.0.0', MANAGEMENT_PORT: '9090', MANAGEMENT_HOST: '::1' })
        .management,
      { port: 9090, host: '::1' },
    );
  });

  it('refuses the webhook port, naming both settings', () => {
    assert.deepEqual(problemsOf({ PORT: '8080', MANAGEMENT_PORT: '8080' }), [
      "MANAGEMENT_PORT (8080) must differ from PORT (8080): the management port keeps the probes and the metrics away from the webhook's port",
    ]);
    // PORT's default counts too.
    assert.match(problemsOf({ MANAGEMENT_PORT: '8080' }).join(), /must differ from PORT \(8080\)/);
  });

  it('takes 0 as any free port, beside a PORT of 0 too', () => {
    assert.deepEqual(httpSettings.parse({ PORT: '0', MANAGEMENT_PORT: '0' }).management, {
      port: 0,
      host: '127.0.0.1',
    });
  });

  it('refuses values that are no port', () => {
    for (const value of ['65536', '-1', '80.5', 'http', '9090x']) {
      assert.deepEqual(problemsOf({ MANAGEMENT_PORT: value }), [
        `MANAGEMENT_PORT=${JSON.stringify(value)} is not allowed: expected an integer from 0 to 65535`,
      ]);
    }
  });

  it('refuses a bad MANAGEMENT_HOST, and one without MANAGEMENT_PORT', () => {
    assert.deepEqual(problemsOf({ MANAGEMENT_PORT: '9090', MANAGEMENT_HOST: 'a b' }), [
      'MANAGEMENT_HOST="a b" is not allowed: expected a host name or IP address',
    ]);
    assert.deepEqual(problemsOf({ MANAGEMENT_HOST: '127.0.0.1' }), [
      'MANAGEMENT_HOST is set but MANAGEMENT_PORT is not: set MANAGEMENT_PORT too, or the probes and the metrics stay on PORT',
    ]);
  });
});
