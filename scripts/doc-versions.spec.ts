import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PINNED_NODE, installedVersions, versionStatements } from './doc-versions.js';

const installed = installedVersions({
  packages: {
    '': { version: '0.1.0' },
    'node_modules/@fastify/static': { version: '10.1.11' },
    'node_modules/@nestjs/core': { version: '12.5.1' },
    'node_modules/@nestjs/swagger': { version: '12.0.2' },
    'node_modules/@opentelemetry/api': { version: '1.9.1' },
    'node_modules/kafkajs': { version: '2.2.4' },
    'node_modules/typescript': { version: '6.0.3' },
    'node_modules/cookie': { version: '0.7.2' },
    'node_modules/light-my-request/node_modules/cookie': { version: '2.0.2' },
    [`node_modules/${PINNED_NODE}`]: { version: '24.22.3' },
  },
});
const direct = [
  '@fastify/static',
  '@nestjs/core',
  '@nestjs/swagger',
  '@opentelemetry/api',
  'kafkajs',
  'typescript',
  PINNED_NODE,
];

/** What `text` states, as `name stated` with `!` where it drifted. */
function stated(text: string): string[] {
  return versionStatements('doc.md', text, installed, direct).map(
    ({ name, stated: version, holds }) => `${name} ${version}${holds ? '' : ' !'}`,
  );
}

describe('versionStatements', () => {
  it('finds a planted wrong version in each form a statement takes', () => {
    assert.deepEqual(stated('- **kafkajs 2.2.5** through the transport'), ['kafkajs 2.2.5 !']);
    assert.deepEqual(stated('`@fastify/static` 9.3, which'), ['@fastify/static 9.3 !']);
    assert.deepEqual(stated("`@fastify/static` (Swagger UI's\n  files) is pinned at 9.3"), [
      '@fastify/static 9.3 !',
    ]);
    assert.deepEqual(stated('`api` stays at 1.8 because'), ['@opentelemetry/api 1.8 !']);
    assert.deepEqual(stated('On Node 24, kafkajs 2.1.0 prints'), ['kafkajs 2.1.0 !']);
    assert.deepEqual(stated('- **TypeScript 5.9**: its peers'), ['typescript 5.9 !']);
    assert.deepEqual(stated('`@nestjs/*` 11.x, pinned'), [
      '@nestjs/core 11 !',
      '@nestjs/swagger 11 !',
    ]);
    assert.deepEqual(stated('- **Node 24 LTS** (24.21.0), pinned once'), [
      `${PINNED_NODE} 24`,
      `${PINNED_NODE} 24.21.0 !`,
    ]);
    assert.deepEqual(stated('`npm install kafkajs@2.1.0`'), ['kafkajs 2.1.0 !']);
    assert.deepEqual(stated('pin @fastify/static@9.3 here'), ['@fastify/static 9.3 !']);
    assert.deepEqual(stated('It serves the UI with @fastify/static 9.3.'), [
      '@fastify/static 9.3 !',
    ]);
    assert.deepEqual(stated('`@fastify/static` v9.3 and kafkajs v2.1'), [
      '@fastify/static 9.3 !',
      'kafkajs 2.1 !',
    ]);
    assert.deepEqual(stated('installs the Node 22 LTS that package.json pins'), [
      `${PINNED_NODE} 22 !`,
    ]);
  });

  it('takes the true versions, the leading numbers of an installed one, any copy of it', () => {
    const text =
      '**kafkajs 2.2.4**, `@fastify/static` 10.1, **TypeScript 6.0**, `cookie` 2 and `cookie` 0.7';
    assert.deepEqual(stated(text), [
      '@fastify/static 10.1',
      'cookie 2',
      'cookie 0.7',
      'kafkajs 2.2.4',
      'typescript 6.0',
    ]);
    assert.deepEqual(
      versionStatements('docs/x.md', 'one\n`kafkajs` 2.2\n', installed, direct).map((s) => s.line),
      [2],
    );
  });

  it('leaves requirements, comparisons, shares and packages it does not install alone', () => {
    assert.deepEqual(
      stated(
        'needs Node 22.12+, TypeScript 7 is outside its peers, kafkajs 6.6% of the CPU, ' +
          '`content-disposition` 3 declares Node 22, Vitest 5',
      ),
      [],
    );
  });
});
