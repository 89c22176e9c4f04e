import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseJsonExact } from '../../json/index.js';
import { ForwarderParamsDto, ForwarderReportDto } from './forwarder-report.dto.js';

const VALID = {
  run: '3f2a9c1e0b7d4e2f8a6c5b4d3e2f1a0b',
  forwarded: 10,
  dropped: { queue_full: 1, too_large: 0 },
  queue_depth: 2,
  loop_seconds: 0.25,
  events_seen: 30,
  filtered_locally: 4,
};

function problems(dto: object, body: object): Record<string, string> {
  const errors = validateSync(plainToInstance(dto as new () => object, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return Object.fromEntries(
    errors.map((error) => [error.property, Object.values(error.constraints ?? {})[0] ?? '']),
  );
}

describe('ForwarderReportDto', () => {
  it('takes the counters a NApp reports, the optional ones left out too', () => {
    assert.deepEqual(problems(ForwarderReportDto, VALID), {});
    assert.deepEqual(
      problems(ForwarderReportDto, {
        run: 'r',
        forwarded: 0,
        dropped: {},
        queue_depth: 0,
        loop_seconds: 0,
      }),
      {},
    );
  });

  it('refuses hostile numbers: negative, fractional counts, past 2^53, NaN-like, strings', () => {
    assert.deepEqual(
      problems(ForwarderReportDto, {
        ...VALID,
        forwarded: 2 ** 53,
        queue_depth: -1,
        events_seen: 1.5,
        filtered_locally: '4',
        loop_seconds: 1e300,
      }),
      {
        forwarded: 'forwarded must be an integer from 0 to 9007199254740991',
        queue_depth: 'queue_depth must be an integer from 0 to 9007199254740991',
        events_seen: 'events_seen must be an integer from 0 to 9007199254740991',
        filtered_locally: 'filtered_locally must be an integer from 0 to 9007199254740991',
        loop_seconds: 'loop_seconds must be a number from 0 to 3200000000',
      },
    );
    assert.match(
      problems(ForwarderReportDto, { ...VALID, loop_seconds: Infinity }).loop_seconds ?? '',
      /must be a number/,
    );
  });

  it('takes the NApp’s drop causes only, so that the cause label stays a fixed set', () => {
    const all = {
      queue_full: 1,
      rejected: 2,
      too_large: 3,
      shutdown: 4,
      unserializable: 5,
    };
    assert.deepEqual(problems(ForwarderReportDto, { ...VALID, dropped: all }), {});
    for (const cause of ['gave_up', 'Queue Full', 'x'.repeat(10_000), '', 'é']) {
      assert.match(
        problems(ForwarderReportDto, {
          ...VALID,
          dropped: JSON.parse(`{${JSON.stringify(cause)}:1}`) as object,
        }).dropped ?? '',
        /not one of queue_full, rejected, too_large, shutdown, unserializable/,
        cause.slice(0, 20),
      );
    }
    for (const count of [-1, 0.5, 2 ** 53, '1', null]) {
      assert.match(
        problems(ForwarderReportDto, { ...VALID, dropped: { rejected: count } }).dropped ?? '',
        /integer from 0 to 9007199254740991/,
        String(count),
      );
    }
    for (const dropped of [[1], 'x', null, 3]) {
      assert.match(
        problems(ForwarderReportDto, { ...VALID, dropped }).dropped ?? '',
        /JSON object of counts by cause/,
        JSON.stringify(dropped),
      );
    }
  });

  it('requires a run of at most 64 letters, digits, "_" or "-"', () => {
    for (const run of ['', 'a b', 'x'.repeat(65), 7, null, '../x']) {
      assert.ok(problems(ForwarderReportDto, { ...VALID, run }).run, String(run));
    }
    assert.deepEqual(problems(ForwarderReportDto, { ...VALID, run: 'x'.repeat(64) }), {});
  });

  it('refuses fields it does not know and requires the run and four counters', () => {
    assert.deepEqual(Object.keys(problems(ForwarderReportDto, { ...VALID, extra: 1 })), ['extra']);
    assert.deepEqual(
      Object.keys(
        problems(ForwarderReportDto, { ...VALID, final: null, events_seen: null }),
      ).sort(),
      ['events_seen', 'final'],
    );
    assert.deepEqual(problems(ForwarderReportDto, { ...VALID, final: true }), {});
    assert.deepEqual(Object.keys(problems(ForwarderReportDto, {})).sort(), [
      'dropped',
      'forwarded',
      'loop_seconds',
      'queue_depth',
      'run',
    ]);
  });
});

describe('ForwarderReportDto numbers', () => {
  it('reads counts the exact JSON reader carried as text back as numbers, and checks them', async () => {
    const { value } = await parseJsonExact(
      '{"run":"r","forwarded":9007199254740990,"dropped":{"too_large":9007199254740991},' +
        '"queue_depth":0,"loop_seconds":0.30000000000000004}',
    );
    const report = plainToInstance(ForwarderReportDto, value as object);
    assert.deepEqual(problems(ForwarderReportDto, value as object), {});
    assert.equal(report.forwarded, 9007199254740990);
    assert.deepEqual(report.dropped, { too_large: 9007199254740991 });
    assert.equal(report.loop_seconds, 0.30000000000000004);
    const { value: over } = await parseJsonExact(
      '{"run":"r","forwarded":9007199254740993,"dropped":{"__proto__":1},"queue_depth":0,"loop_seconds":1e400}',
    );
    assert.deepEqual(Object.keys(problems(ForwarderReportDto, over as object)).sort(), [
      'dropped',
      'forwarded',
      'loop_seconds',
    ]);
  });
});

describe('ForwarderParamsDto', () => {
  it('takes host names and ids, refuses long, empty or odd ones', () => {
    for (const id of ['kytos-1', 'ctl.example.org', 'a', 'x'.repeat(64), '00:00:01']) {
      assert.deepEqual(problems(ForwarderParamsDto, { id }), {}, id);
    }
    assert.equal(
      problems(ForwarderParamsDto, { id: 'x'.repeat(65) }).id,
      'id must be at most 64 characters',
    );
    for (const id of ['', '-lead', 'a b', 'a/b', 'a"b', 'kytos\n1', 'é']) {
      assert.match(problems(ForwarderParamsDto, { id }).id ?? '', /must start with a letter/, id);
    }
  });
});
