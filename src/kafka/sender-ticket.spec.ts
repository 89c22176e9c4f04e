import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import { SenderTicket } from './sender-ticket.js';

/** A ticket for `count` records, and how it was answered. */
function ticketFor(
  count: number,
  options: { retryUntil?: number; answerWithinMs?: number; signal?: AbortSignal } = {},
) {
  const answer: { refusals?: ReadonlyMap<OutgoingRecord, Refusal>; error?: unknown } = {};
  let answers = 0;
  let done = (): void => undefined;
  const answered = new Promise<void>((resolve) => {
    done = resolve;
  });
  const ticket = new SenderTicket(
    count,
    options.retryUntil,
    options.answerWithinMs ?? 60_000,
    options.signal,
    (refusals) => {
      answers++;
      answer.refusals = refusals;
      done();
    },
    (error) => {
      answers++;
      answer.error = error;
      done();
    },
  );
  return { ticket, answer, answered, answers: () => answers };
}

const record = { name: 'big' } as OutgoingRecord;

describe('SenderTicket', () => {
  it('answers once every record is acknowledged or refused, with the refusals', async () => {
    const { ticket, answer, answered } = ticketFor(3);
    ticket.acknowledge();
    const refusal = { failure: KafkaFailure.refused('too large') };
    ticket.refuse(record, refusal);
    assert.equal(ticket.open, true, 'one record is not answered yet');
    ticket.acknowledge();
    await answered;
    assert.equal(ticket.open, false);
    assert.deepEqual([...(answer.refusals ?? [])], [[record, refusal]]);
  });

  it('fails at the first failure, and ignores what comes after', async () => {
    const { ticket, answer, answered, answers } = ticketFor(2);
    const failure = KafkaFailure.timedOut('gone');
    ticket.fail(failure);
    ticket.acknowledge();
    ticket.acknowledge();
    ticket.fail(new Error('later'));
    await answered;
    assert.equal(answer.error, failure);
    assert.equal(answers(), 1);
  });

  it('answers a bounded sender 503 when its time is up, though nothing was answered', async () => {
    const { ticket, answer, answered } = ticketFor(1, {
      retryUntil: Date.now(),
      answerWithinMs: 20,
    });
    await answered;
    assert.ok(answer.error instanceof KafkaFailure);
    assert.equal(answer.error.kind, 'unavailable');
    assert.match(answer.error.reason, /did not acknowledge within 20 ms/);
    assert.equal(ticket.open, false);
  });

  it('never times out an unbounded sender', async () => {
    const { ticket, answers } = ticketFor(1, { answerWithinMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(answers(), 0);
    assert.equal(ticket.open, true);
    ticket.acknowledge();
  });

  it("fails with the signal's reason when it aborts, and lets go of the signal once answered", async () => {
    const stop = new AbortController();
    const { answer, answered } = ticketFor(1, { signal: stop.signal });
    const kept = new AbortController();
    const acknowledged = ticketFor(1, { signal: kept.signal });
    stop.abort(new Error('stopping'));
    await answered;
    assert.match(String(answer.error), /stopping/);
    acknowledged.ticket.acknowledge();
    await acknowledged.answered;
    // A listener left behind holds its batch (records and all) for the forwarder's whole life.
    assert.equal(getEventListeners(kept.signal, 'abort').length, 0);
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
  });
});
