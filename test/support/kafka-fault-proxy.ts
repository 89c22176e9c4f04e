import { createServer, type Server, type Socket, connect } from 'node:net';
import { KafkaBroker } from './kafka-broker.js';

/** What the proxy does to the traffic passing through it; probabilities are per request. */
export interface FaultPlan {
  /** Forward a produce request, then cut both connections instead of passing its answer on. */
  cutProduceAnswer: number;
  /** Forward half of a produce request, then reset both connections. */
  resetMidRequest: number;
  /** Delay before forwarding each request (ms, uniform in [0, latencyMs]). */
  latencyMs: number;
  /** Swallow every request: connections stay open and nothing is answered (a network blackhole). */
  blackhole: boolean;
}

export interface FaultCounts {
  produceRequests: number;
  swallowed: number;
  answersCut: number;
  resetsMidRequest: number;
}

const PRODUCE = 0;
const NO_FAULTS: FaultPlan = {
  cutProduceAnswer: 0,
  resetMidRequest: 0,
  latencyMs: 0,
  blackhole: false,
};

/**
 * A TCP proxy in front of one Kafka listener that reads Kafka's size-prefixed frames, so faults
 * land where a real network hurts most: after the broker received (and wrote) a produce request,
 * before the client hears so. The broker must advertise the proxy (a listener whose advertised
 * address is the proxy's) so that every connection of the client passes through it.
 * Randomness is seeded: a run can be repeated.
 */
export class KafkaFaultProxy {
  readonly counts: FaultCounts = {
    produceRequests: 0,
    swallowed: 0,
    answersCut: 0,
    resetsMidRequest: 0,
  };
  private plan: FaultPlan = NO_FAULTS;
  private readonly sockets = new Set<Socket>();
  private random: () => number;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  static async start(listenPort: number, targetPort: number, seed = 1): Promise<KafkaFaultProxy> {
    const server = createServer();
    const proxy = new KafkaFaultProxy(server, listenPort, targetPort, seed);
    server.on('connection', (client) => proxy.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  setPlan(plan: Partial<FaultPlan>): void {
    this.plan = { ...NO_FAULTS, ...plan };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const broker = connect(this.target, '127.0.0.1');
    this.sockets.add(client).add(broker);
    const cutOn = new Set<number>();
    let closed = false;
    const cut = () => {
      closed = true;
      client.destroy();
      broker.destroy();
    };
    for (const socket of [client, broker]) {
      socket.setNoDelay(true);
      socket.on('error', cut);
      socket.on('close', () => {
        this.sockets.delete(socket);
        cut();
      });
    }
    // Requests keep their order: each waits for the one before it (latency is per request).
    let forwarding = Promise.resolve();
    frames(client, (frame) => {
      if (this.plan.blackhole) {
        this.counts.swallowed++;
        return;
      }
      const apiKey = frame.readInt16BE(4);
      const correlationId = frame.readInt32BE(8);
      const delay = this.plan.latencyMs > 0 ? this.random() * this.plan.latencyMs : 0;
      let reset = false;
      if (apiKey === PRODUCE) {
        this.counts.produceRequests++;
        if (this.random() < this.plan.resetMidRequest) reset = true;
        else if (this.random() < this.plan.cutProduceAnswer) cutOn.add(correlationId);
      }
      forwarding = forwarding.then(async () => {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (closed) return;
        if (reset) {
          this.counts.resetsMidRequest++;
          broker.write(frame.subarray(0, Math.floor(frame.length / 2)), () => cut());
          return;
        }
        broker.write(frame);
      });
    });
    frames(broker, (frame) => {
      if (closed) return;
      if (cutOn.delete(frame.readInt32BE(4))) {
        this.counts.answersCut++;
        cut();
        return;
      }
      client.write(frame);
    });
  }
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = 4 + buffered.readInt32BE(0);
      if (buffered.length < size) break;
      onFrame(buffered.subarray(0, size));
      buffered = buffered.subarray(size);
    }
  });
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A broker with a second listener that advertises a proxy in front of it: a service bootstrapped
 * through `proxy.address` opens every connection through the proxy, while a test's reader uses
 * the plain listener (`broker.brokers`).
 */
export async function startProxiedBroker(
  seed: number,
  extraConfig: string[] = [],
): Promise<{ broker: KafkaBroker; proxy: KafkaFaultProxy }> {
  const broker = await KafkaBroker.start(
    (port) => [
      ...extraConfig,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1},PROXIED://127.0.0.1:${port + 2}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},PROXIED://127.0.0.1:${port + 3}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT',
    ],
    2,
  );
  try {
    return { broker, proxy: await KafkaFaultProxy.start(broker.port + 3, broker.port + 2, seed) };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}
