import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importBreaches, type SourceImport } from './import-rules.js';

const LAYERS = [['.'], ['http'], ['ingest', 'health'], ['publisher'], ['kafka'], ['config']];
const FOLDERS = ['config', 'health', 'http', 'ingest', 'kafka', 'publisher'];

const imports = (...pairs: [file: string, target: string][]): SourceImport[] =>
  pairs.map(([file, target]) => ({ file, line: 3, target }));

/** A tree that keeps every rule: faces only, downward or one way within a layer. */
const CLEAN = imports(
  ['main.ts', 'app.module.ts'],
  ['app.module.ts', 'http/index.js'],
  ['app.module.ts', 'health/index.js'],
  ['http/edge.ts', 'ingest/index.js'],
  ['http/edge.ts', 'http/rate-limiter.js'],
  ['ingest/ingest.service.ts', 'publisher/index.js'],
  ['ingest/ingest.service.ts', 'health/index.js'],
  ['publisher/spool/spool.ts', 'kafka/index.js'],
  ['publisher/spool/spool.ts', 'publisher/delivery.js'],
  ['kafka/kafka.settings.ts', 'config/index.js'],
);

const breachesWith = (...planted: [file: string, target: string][]) =>
  importBreaches([...CLEAN, ...imports(...planted)], FOLDERS, LAYERS);

describe('importBreaches', () => {
  it('finds nothing in a tree that keeps the rules', () => {
    assert.deepEqual(importBreaches(CLEAN, FOLDERS, LAYERS), []);
  });

  it("reports a file that reaches into another folder's files, nested or not", () => {
    assert.deepEqual(
      breachesWith(
        ['ingest/ingest.service.ts', 'publisher/delivery.js'],
        ['publisher/spool/spool.ts', 'kafka/produce-queue.js'],
      ),
      [
        {
          rule: 'public-face',
          message:
            'ingest/ingest.service.ts:3 imports publisher/delivery.js: import publisher/index.js, its public face',
        },
        {
          rule: 'public-face',
          message:
            'publisher/spool/spool.ts:3 imports kafka/produce-queue.js: import kafka/index.js, its public face',
        },
      ],
    );
  });

  it('reports a feature that imports the edge, even through its face', () => {
    assert.deepEqual(breachesWith(['health/health.controller.ts', 'http/index.js']), [
      {
        rule: 'edge',
        message:
          'health/health.controller.ts:3 imports http/index.js: only the composition root imports http, the edge every route shares',
      },
      // The edge imports the features, so a feature importing it closes a loop as well.
      {
        rule: 'cycle',
        message:
          'import loop: health -> http (health/health.controller.ts:3), http -> ingest (http/edge.ts:3), ingest -> health (ingest/ingest.service.ts:3)',
      },
    ]);
  });

  it('reports an import of a layer above', () => {
    assert.deepEqual(breachesWith(['kafka/kafka-producer.ts', 'health/index.js']), [
      {
        rule: 'upward',
        message:
          'kafka/kafka-producer.ts:3 imports health/index.js: kafka (layer 5) is below health (layer 3)',
      },
    ]);
  });

  it('reports folders of one layer that import each other round a loop', () => {
    assert.deepEqual(breachesWith(['health/readiness.ts', 'ingest/index.js']), [
      {
        rule: 'cycle',
        message:
          'import loop: health -> ingest (health/readiness.ts:3), ingest -> health (ingest/ingest.service.ts:3)',
      },
    ]);
  });

  it('reports an import of the composition root', () => {
    assert.deepEqual(breachesWith(['publisher/publisher.module.ts', 'app.settings.js']), [
      {
        rule: 'root',
        message:
          'publisher/publisher.module.ts:3 imports app.settings.js: nothing imports the composition root',
      },
    ]);
  });

  it('reports every breach of one import', () => {
    const rules = breachesWith(['kafka/kafka-producer.ts', 'publisher/delivery.js']).map(
      ({ rule }) => rule,
    );
    assert.deepEqual(rules.sort(), ['cycle', 'public-face', 'upward']);
  });

  it('reports a folder in no layer, in two, or named but absent, and a root not on top', () => {
    const messages = importBreaches(
      CLEAN,
      [...FOLDERS, 'tracing'],
      [
        ['http'],
        ['.'],
        ['ingest', 'health', 'json'],
        ['publisher', 'kafka'],
        ['kafka'],
        ['config'],
      ],
    ).map(({ rule, message }) => `${rule}: ${message}`);
    assert.deepEqual(messages.sort(), [
      'placement: kafka is in two layers',
      'placement: layer folder json is not in src/',
      'placement: the first layer is the composition root alone',
      'placement: tracing is in no layer',
      // With the root second, http is no longer the edge and its import by the root is upward.
      'upward: app.module.ts:3 imports http/index.js: the composition root (layer 2) is below http (layer 1)',
    ]);
  });
});
