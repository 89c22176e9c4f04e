import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { chaosSeconds, reportChaos } from './chaos-report.js';
import { Haproxy, type BalancedServer } from './haproxy.js';
import { freePorts } from './kafka-broker.js';
import { NappSender, type SenderTally } from './napp-sender.js';
import { EVENTS_PATH } from './service.js';
import {
  drainOutcome,
  runDrainSpool,
  type ServiceProcess,
  spawnService,
} from './service-process.js';
import { idCounts, lossAndDuplicates } from './topic-reader.js';

export type Mode = 'kafka' | 'spool';

/** Seconds of traffic between two steps: CHAOS_SECONDS / 10 (npm run chaos) or a bounded default. */
const steadyMs = (chaosSeconds(10) / 10) * 1000;
/** SHUTDOWN_TIMEOUT_MS of every instance, in the grace period a Kubernetes pod has by default. */
const shutdownTimeoutMs = 15_000;

/**
 * One instance of the service as a pod runs it: the same port and (spool mode) the same spool
 * folder, its volume, across its restarts.
 */
class Instance {
  private process?: ServiceProcess;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly checkPort: number,
    readonly env: Record<string, string>,
  ) {}

  /** With `managementPort`, readiness answers on a port of its own, as the Helm chart runs it. */
  static async create(
    name: string,
    env: Record<string, string>,
    managementPort: boolean,
  ): Promise<Instance> {
    const port = await freePorts(2);
    const checkPort = managementPort ? port + 1 : port;
    const spoolDir = mkdtempSync(join(tmpdir(), `kafka-events-${name}-`));
    return new Instance(name, port, checkPort, {
      ...env,
      PORT: String(port),
      ...(managementPort ? { MANAGEMENT_PORT: String(checkPort) } : {}),
      SPOOL_DIR: spoolDir,
    });
  }

  /** HAProxy balances the webhook's port and checks readiness on the management port when set. */
  get server(): BalancedServer {
    return { name: this.name, port: this.port, checkPort: this.checkPort };
  }

  async start(): Promise<void> {
    this.process = await spawnService(this.env);
  }

  /** Sends `signal` and waits for the exit: its code, how long it took, and the output. */
  async stop(
    signal: 'SIGTERM' | 'SIGKILL',
  ): Promise<{ code: number | null; ms: number; output: string }> {
    const { child, output } = this.process ?? assert.fail(`${this.name} is not running`);
    const started = performance.now();
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    child.kill(signal);
    const [code] = await exited;
    this.process = undefined;
    return { code, ms: Math.round(performance.now() - started), output: output() };
  }

  async remove(): Promise<void> {
    if (this.process?.child.exitCode === null) await this.stop('SIGKILL');
    rmSync(this.env.SPOOL_DIR, { recursive: true, force: true });
  }
}

/** What each step came to, from the senders' tallies and the topic read back by id. */
interface StepCount {
  step: string;
  answered2xx: number;
  acknowledged: number;
  lost: number;
  duplicates: number;
  gaveUp: number;
  refused: number;
  balancerErrors: number;
  transportErrors: number;
  faults: string;
}

/**
 * The scenario of test/rolling-update-*.test.ts: 3 instances of `mode` behind HAProxy, two
 * senders posting throughout with the NApp's retries; a rolling update (each instance in turn
 * SIGTERM, exit, start again, ready), then one instance SIGKILLed and started again, and in spool
 * mode a scale-down (one instance stopped for good, its volume drained by the drain command).
 * Each step's events are read back from Kafka by id; asserts 0 lost and 0 given up per step, and
 * reports each step as a row of the chaos table.
 */
export async function rollThrough(t: TestContext, brokers: string, mode: Mode): Promise<void> {
  const topic = `rolling-${mode}`;
  const env = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: topic,
    DELIVERY_MODE: mode,
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    // The most the forwarder may wait between batches: each spool holds up to a second of events
    // when its instance is stopped, for the forwarding at SIGTERM to take over.
    SPOOL_FORWARD_LINGER_MS: '1000',
  };
  const instances: Instance[] = [];
  let balancer: Haproxy | undefined;
  const senders: NappSender[] = [];
  try {
    for (const name of ['s0', 's1', 's2']) {
      // kafka mode behind a management port, spool mode on one port: both ways are balanced.
      instances.push(await Instance.create(name, env, mode === 'kafka'));
    }
    // One at a time: on two shared cores, three starts at once each take several times longer.
    for (const instance of instances) await instance.start();
    balancer = await Haproxy.start(instances.map((instance) => instance.server));
    for (const instance of instances) await balancer.waitUntilUp(instance.name);
    const lb = balancer;
    // Two Kytos controllers, each posting batches of 5 events one after the other.
    const running = [0, 1].map(() => new NappSender(lb.url + EVENTS_PATH, 5, 10));
    senders.push(...running);
    const setStep = (step: string) => running.forEach((sender) => (sender.phase = step));
    const faults = new Map<string, string[]>();
    const fault = (step: string, text: string) => {
      faults.set(step, [...(faults.get(step) ?? []), text]);
      t.diagnostic(`${mode}, ${step}: ${text}`);
    };

    setStep('rolling update');
    running.forEach((sender) => sender.start());
    await sleep(steadyMs);
    for (const instance of instances) {
      const stopped = await instance.stop('SIGTERM');
      assert.equal(stopped.code, 0, `${instance.name} exits 0 at SIGTERM:\n${stopped.output}`);
      assert.ok(stopped.ms < shutdownTimeoutMs, `${instance.name} stopped in ${stopped.ms} ms`);
      fault(
        'rolling update',
        `${instance.name} SIGTERM, exit 0 in ${stopped.ms} ms${mode === 'spool' ? `, ${forwardedAtSigterm(stopped.output)} events forwarded from its spool meanwhile` : ''}`,
      );
      await instance.start();
      await lb.waitUntilUp(instance.name);
      await sleep(steadyMs);
    }

    setStep('SIGKILL');
    await sleep(steadyMs);
    const killed = instances[0];
    await killed.stop('SIGKILL');
    fault('SIGKILL', `${killed.name} SIGKILL`);
    await killed.start();
    await lb.waitUntilUp(killed.name);
    await sleep(steadyMs);

    if (mode === 'spool') {
      setStep('scale-down');
      await sleep(steadyMs);
      const gone = instances[2];
      const stopped = await gone.stop('SIGTERM');
      assert.equal(stopped.code, 0, stopped.output);
      fault(
        'scale-down',
        `${gone.name} SIGTERM, exit 0 in ${stopped.ms} ms, ${forwardedAtSigterm(stopped.output)} events forwarded from its spool meanwhile`,
      );
      // The drain Job a scale-down leaves to the operator, on the volume of the pod gone for good.
      const drained = await runDrainSpool(gone.env);
      assert.equal(drained.code, 0, drained.stdout + drained.stderr);
      assert.equal(drainOutcome(drained).empty, true);
      assert.equal(drainOutcome(drained).forwarded, 0, 'the forwarding at SIGTERM left nothing');
      fault(
        'scale-down',
        `the drain command: exit 0, ${drainOutcome(drained).forwarded} left to forward`,
      );
      await sleep(steadyMs);
    }
    // The NApp's shutdown flush: a batch still retried gets this long before it is given up.
    await Promise.all(running.map((sender) => sender.stop(30_000)));

    const counts = await countSteps(brokers, topic, running, faults);
    for (const count of counts) {
      t.diagnostic(`${mode}, ${count.step}: ${JSON.stringify(count)}`);
      reportChaos({
        scenario: `3 instances behind HAProxy, ${count.step}, 2 senders with the NApp's retries (${count.gaveUp} given up, ${count.balancerErrors} balancer errors)`,
        mode,
        answered2xx: count.answered2xx,
        acknowledged: count.acknowledged,
        lost: count.lost,
        duplicates: count.duplicates,
        faults: count.faults,
      });
    }
    for (const count of counts) {
      assert.equal(count.lost, 0, `${count.step}: acknowledged events lost`);
      assert.equal(count.gaveUp, 0, `${count.step}: events the sender gave up on`);
      assert.equal(count.refused, 0, `${count.step}: events refused for good`);
      assert.ok(count.acknowledged > 0, `${count.step}: events were sent throughout`);
    }
  } finally {
    await Promise.all(senders.map((sender) => sender.stop(0)));
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.remove()));
  }
}

/** How many events the spool forwarder sent at SIGTERM, from its log; fails if it did not finish. */
function forwardedAtSigterm(output: string): number {
  const forwarded = /shutdown: the spool is forwarded \((\d+) events left at SIGTERM/.exec(output);
  assert.ok(forwarded, `the spool is forwarded at SIGTERM, Kafka up:\n${output}`);
  return Number(forwarded[1]);
}

/** Per step: the senders' tallies summed, and each acknowledged id looked up in the topic. */
async function countSteps(
  brokers: string,
  topic: string,
  senders: readonly NappSender[],
  faults: ReadonlyMap<string, string[]>,
): Promise<StepCount[]> {
  const steps = [...faults.keys()];
  const tallies = steps.map((step) => senders.flatMap((sender) => sender.tallies.get(step) ?? []));
  const acknowledged = tallies.flatMap((list) => list.flatMap((tally) => tally.acknowledged));
  const counts = await idCounts(brokers, topic, acknowledged, 90_000);
  return steps.map((step, index) => {
    const list = tallies[index];
    const sum = (of: (tally: SenderTally) => number) =>
      list.reduce((total, tally) => total + of(tally), 0);
    const ids = list.flatMap((tally) => tally.acknowledged);
    const { lost, duplicates } = lossAndDuplicates(ids, counts);
    const balancerErrors = sum((tally) => tally.balancerErrors);
    const statuses = new Map<number, number>();
    for (const tally of list) {
      for (const [status, n] of tally.statuses)
        statuses.set(status, (statuses.get(status) ?? 0) + n);
    }
    const others = [...statuses]
      .filter(([status]) => status < 200 || status >= 300)
      .map(([status, n]) => `${n} × ${status}`);
    return {
      step,
      answered2xx: sum((tally) => tally.answered2xx),
      acknowledged: ids.length,
      lost: lost.length,
      duplicates,
      gaveUp: sum((tally) => tally.gaveUp.length),
      refused: sum((tally) => tally.refused.length),
      balancerErrors,
      transportErrors: sum((tally) => tally.transportErrors),
      faults: [
        ...(faults.get(step) ?? []),
        `answers other than 2xx: ${others.join(', ') || 'none'}`,
        `${sum((tally) => tally.transportErrors)} attempts without an answer`,
      ].join('; '),
    };
  });
}
