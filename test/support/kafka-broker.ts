import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** A real single-node Kafka on a free loopback port, started by the project's scripts/kafka.sh. */
export class KafkaBroker {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraConfig: string[],
  ) {}

  /**
   * `extraConfig` may depend on the ports and folder (extra listeners, key files): the broker owns
   * `extraPorts` more free ports after its own two, from `port + 2` on.
   */
  static async start(
    extraConfig: string[] | ((port: number, dir: string) => string[]) = [],
    extraPorts = 0,
    /** Runs in the broker's folder before it starts: writes files its config names (TLS keys). */
    prepare?: (dir: string) => Promise<void>,
  ): Promise<KafkaBroker> {
    const port = await freePorts(2 + extraPorts);
    const dir = mkdtempSync(join(tmpdir(), 'kafka-events-broker-'));
    const broker = new KafkaBroker(
      port,
      dir,
      typeof extraConfig === 'function' ? extraConfig(port, dir) : extraConfig,
    );
    await prepare?.(dir);
    await broker.resume();
    return broker;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker again on the same port and data (after pause()). */
  async resume(): Promise<void> {
    await this.script('start', ...this.extraConfig.flatMap((kv) => ['--config', kv]));
  }

  /** Stops the broker cleanly; its data stays for resume(). */
  async pause(): Promise<void> {
    await this.script('stop');
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async script(command: string, ...args: string[]): Promise<void> {
    await run(
      'bash',
      [
        join(repoRoot, 'scripts/kafka.sh'),
        command,
        '--port',
        String(this.port),
        '--dir',
        this.dir,
        ...args,
      ],
      { timeout: 120_000 },
    );
  }
}

/**
 * A port whose `count - 1` successors (the KRaft controller's, extra listeners) are free too,
 * below the kernel's ephemeral range: a port in it can be taken by any outgoing connection
 * between this check and the broker's bind (a CI run met it: "Address already in use").
 */
export async function freePorts(count: number): Promise<number> {
  const [ephemeralStart = 32_768] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralStart - count);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let next = port; free && next < port + count; next++) free = await isFree(next);
    if (free) return port;
  }
  throw new Error(`no ${count} free consecutive loopback ports found in 50 tries`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
