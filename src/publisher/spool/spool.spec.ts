import assert from 'node:assert/strict';
import {
  writeFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  appendFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../config/index.js';
import { kafkaSettings } from '../../kafka/index.js';
import { publisherSettings } from '../publisher.settings.js';
import { EventEnvelope } from '../event-envelope.js';
import { readSegment } from './segment-reader.js';
import { Spool, SpoolFullError } from './spool.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function openSpool(dir: string, env: Record<string, string> = {}): Promise<Spool> {
  const spool = new Spool(
    publisherSettings.parse({ DELIVERY_MODE: 'spool', SPOOL_DIR: dir, ...env }),
    kafkaSettings.parse({}),
  );
  await spool.open();
  return spool;
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spool-spec-'));
  dirs.push(dir);
  return dir;
}

function events(count: number, from = 0): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) =>
    EventEnvelope.fromEvent({ name: `kytos/e${from + i}`, content: { i: from + i } }, new Date(0), {
      topic: 'event_logs',
    }),
  );
}

async function readAll(spool: Spool): Promise<string[]> {
  const names: string[] = [];
  for (const segment of spool.list()) {
    const batch = await readSegment(
      segment.path,
      0,
      segment.size,
      1_000_000,
      1 << 30,
      'event_logs',
    );
    names.push(...batch.envelopes.map((envelope) => envelope.name));
  }
  return names;
}

describe('Spool', () => {
  it('names SPOOL_DIR when it cannot be used (a file stands where the folder should)', async () => {
    const file = join(freshDir(), 'not-a-folder');
    writeFileSync(file, '');
    await assert.rejects(openSpool(join(file, 'spool')), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /SPOOL_DIR=".*not-a-folder\/spool" cannot be used/);
      return true;
    });
  });

  it('keeps what concurrent appends wrote, in order, readable back whole', async () => {
    const spool = await openSpool(freshDir());
    await Promise.all([spool.append(events(3)), spool.append(events(2, 3))]);
    assert.deepEqual(await readAll(spool), [
      'kytos/e0',
      'kytos/e1',
      'kytos/e2',
      'kytos/e3',
      'kytos/e4',
    ]);
    const [segment] = spool.list();
    assert.equal(statSync(segment?.path ?? '').size, segment?.size);
    await spool.close();
  });

  it('starts a new segment past SPOOL_SEGMENT_BYTES, and releases an old one', async () => {
    const spool = await openSpool(freshDir(), { SPOOL_SEGMENT_BYTES: '65536' });
    const big = (i: number) =>
      EventEnvelope.fromEvent(
        { name: `kytos/big${i}`, content: { blob: 'x'.repeat(40_000) } },
        new Date(0),
        { topic: 'event_logs' },
      );
    for (let i = 0; i < 4; i++) await spool.append([big(i)]);
    assert.equal(spool.list().length, 2);
    const bytesBefore = spool.bytes;
    const [oldest] = spool.list();
    assert.ok(oldest && !spool.isActive(oldest));
    await spool.release(oldest);
    assert.equal(spool.list().length, 1);
    assert.equal(spool.bytes, bytesBefore - oldest.size);
    await spool.close();
  });

  it('refuses appends past SPOOL_MAX_BYTES with SpoolFullError, keeping what it has', async () => {
    const spool = await openSpool(freshDir(), {
      SPOOL_MAX_BYTES: String(1024 * 1024),
      SPOOL_SEGMENT_BYTES: '65536',
    });
    const chunk = EventEnvelope.fromEvent(
      { name: 'kytos/x', content: { blob: 'x'.repeat(200_000) } },
      new Date(0),
      { topic: 'event_logs' },
    );
    for (let i = 0; i < 5; i++) await spool.append([chunk]);
    await assert.rejects(spool.append([chunk]), SpoolFullError);
    assert.equal((await readAll(spool)).length, 5);
    await spool.close();
  });

  it('resumes after a restart in a new segment, reporting a torn tail instead of reading it', async () => {
    const dir = freshDir();
    const first = await openSpool(dir);
    await first.append(events(3));
    await first.close();
    // A crash in the middle of the next write leaves half a record behind.
    const [segmentFile] = readdirSync(dir).filter((name) => name.endsWith('.spool'));
    const path = join(dir, segmentFile ?? '');
    const whole = statSync(path).size;
    appendFileSync(path, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));

    const second = await openSpool(dir);
    assert.equal(second.list().length, 2, 'a new segment for new appends');
    const [old] = second.list();
    const batch = await readSegment(old?.path ?? '', 0, old?.size ?? 0, 100, 1 << 20, 'event_logs');
    assert.deepEqual(
      batch.envelopes.map((envelope) => envelope.name),
      ['kytos/e0', 'kytos/e1', 'kytos/e2'],
    );
    assert.equal(batch.next, old?.size, 'nothing after the torn tail checks out');
    assert.ok(whole < (old?.size ?? 0));
    assert.match(batch.damage ?? '', /runs past the end of the segment/);
    await second.close();
  });

  it('skips just a damaged record mid-segment, resuming at the next one that checks out', async () => {
    const dir = freshDir();
    const spool = await openSpool(dir);
    await spool.append(events(5));
    const [segment] = spool.list();
    await spool.close();
    const path = segment?.path ?? '';
    const size = statSync(path).size;
    const bytes = readFileSync(path);
    const third = { start: 0, end: 0 };
    for (let i = 0, at = 0; i < 3; i++) {
      third.start = at;
      at += 8 + bytes.readUInt32LE(at);
      third.end = at;
    }
    bytes[third.start + 20] = (bytes[third.start + 20] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const first = await readSegment(path, 0, size, 100, 1 << 20, 'event_logs');
    assert.deepEqual(
      first.envelopes.map((envelope) => envelope.name),
      ['kytos/e0', 'kytos/e1'],
    );
    assert.equal(first.next, third.end);
    assert.match(first.damage ?? '', /checksum mismatch; bytes \d+ to \d+ skipped/);
    const rest = await readSegment(path, first.next, size, 100, 1 << 20, 'event_logs');
    assert.deepEqual(
      rest.envelopes.map((envelope) => envelope.name),
      ['kytos/e3', 'kytos/e4'],
    );
    // A length field damaged to point past the end: also just that record.
    bytes.writeUInt32LE(1 << 28, third.end);
    writeFileSync(path, bytes);
    const past = await readSegment(path, first.next, size, 100, 1 << 20, 'event_logs');
    assert.equal(past.envelopes.length, 0);
    assert.match(past.damage ?? '', /runs past the end/);
    const last = await readSegment(path, past.next, size, 100, 1 << 20, 'event_logs');
    assert.deepEqual(
      last.envelopes.map((envelope) => envelope.name),
      ['kytos/e4'],
    );
  });

  it('counts the group being written and rejected.spool against SPOOL_MAX_BYTES, a set-aside record once', async () => {
    const dir = freshDir();
    const chunk = (i: number) =>
      EventEnvelope.fromEvent(
        { name: `kytos/x${i}`, content: { blob: 'x'.repeat(300_000) } },
        new Date(0),
        { topic: 'event_logs' },
      );
    const limits = { SPOOL_MAX_BYTES: String(1024 * 1024), SPOOL_SEGMENT_BYTES: '65536' };
    const spool = await openSpool(dir, limits);
    const refused = chunk(1);
    const writing = spool.append([chunk(0), refused]);
    await assert.rejects(spool.append([chunk(2), chunk(3)]), SpoolFullError);
    await writing;
    const full = spool.bytes;
    const [segment] = spool.list();
    assert.ok(segment);
    // The spool is at its cap, and the record still moves: its bytes are the segment's already.
    await spool.setAside(refused, segment);
    assert.equal(spool.bytes, full, 'counted once while its segment is kept');
    await spool.close();
    const rejectedBytes = statSync(join(dir, 'rejected.spool')).size;
    const reopened = await openSpool(dir, limits);
    const [old] = reopened.list();
    assert.ok(old && !reopened.isActive(old));
    await reopened.release(old);
    assert.equal(reopened.bytes, rejectedBytes, 'rejected.spool still counts after a restart');
    await reopened.close();
  });

  it('keeps one pending promise for every idle wait of the next append', async () => {
    const spool = await openSpool(freshDir());
    const waits = Array.from({ length: 1000 }, () => spool.nextAppend());
    assert.equal(new Set(waits).size, 1);
    await spool.append(events(1));
    await Promise.all(waits);
    assert.notEqual(spool.nextAppend(), waits[0]);
    await spool.close();
  });

  it('stops at a damaged record, never returning it', async () => {
    const dir = freshDir();
    const spool = await openSpool(dir);
    await spool.append(events(3));
    const [segment] = spool.list();
    await spool.close();
    const path = segment?.path ?? '';
    const size = statSync(path).size;
    truncateSync(path, size - 3);
    appendFileSync(path, Buffer.from([0xde, 0xad, 0xbf]));
    const batch = await readSegment(path, 0, size, 100, 1 << 20, 'event_logs');
    assert.deepEqual(
      batch.envelopes.map((envelope) => envelope.name),
      ['kytos/e0', 'kytos/e1'],
    );
    assert.match(batch.damage ?? '', /^checksum mismatch/);
  });
});

describe('Spool.tooLarge (#33)', () => {
  it('names a request larger than SPOOL_MAX_BYTES, which a 503 would refuse on every retry', async () => {
    const spool = await openSpool(freshDir(), {
      SPOOL_MAX_BYTES: String(1024 * 1024),
      SPOOL_SEGMENT_BYTES: String(64 * 1024),
    });
    try {
      const big = EventEnvelope.fromEvent(
        { name: 'kytos/big', content: { pad: 'x'.repeat(600 * 1024) } },
        new Date(0),
        { topic: 'event_logs' },
      );
      assert.equal(spool.tooLarge([big]), undefined, 'one fits an empty spool');
      assert.match(
        String(spool.tooLarge([big, big])),
        /^its 2 events are \d+ bytes in the spool, more than SPOOL_MAX_BYTES \(1048576\)$/,
      );
      await spool.append([big]);
      assert.equal(spool.tooLarge([big]), undefined, 'a full spool is a 503, not a 413');
      await assert.rejects(spool.append([big]), SpoolFullError);
    } finally {
      await spool.close();
    }
  });
});
