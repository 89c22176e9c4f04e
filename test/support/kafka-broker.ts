import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

  static async start(extraConfig: string[] = []): Promise<KafkaBroker> {
    const broker = new KafkaBroker(
      await freePortPair(),
      mkdtempSync(join(tmpdir(), 'kafka-events-broker-')),
      extraConfig,
    );
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

/** A port whose successor (the KRaft controller's) is free too. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await isFree(port)) && (await isFree(port + 1))) return port;
  }
  throw new Error('no free loopback port pair found in 50 tries');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
