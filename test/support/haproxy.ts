import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './kafka-broker.js';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** One backend server: where requests go, and where HAProxy checks its health. */
export interface BalancedServer {
  name: string;
  port: number;
  /** The port HAProxy's health check (GET /health/ready) goes to. */
  checkPort: number;
}

/**
 * Debian's HAProxy (scripts/debian-tool.sh) as a load balancer in front of service instances, as
 * an operator's would be: round robin per request, a server taken out after two failed checks
 * of /health/ready (every 500 ms) and put back after two good ones, a request whose connection
 * was refused sent to another server. `stats` reads the servers' states from its CSV page.
 */
export class Haproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    private readonly statsUrl: string,
    private readonly output: () => string,
  ) {}

  static async start(servers: readonly BalancedServer[]): Promise<Haproxy> {
    const { stdout } = await run('bash', [join(repoRoot, 'scripts/debian-tool.sh'), 'haproxy'], {
      timeout: 300_000,
    });
    const program = stdout.trim();
    const port = await freePorts(2);
    const statsPort = port + 1;
    const dir = mkdtempSync(join(tmpdir(), 'kafka-events-haproxy-'));
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, configFor(servers, port, statsPort));
    const child = spawn(program, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const balancer = new Haproxy(
      child,
      dir,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${statsPort}/stats;csv`,
      () => output,
    );
    await balancer.waitUntil(() => true, 'HAProxy answering its stats page', 10_000);
    return balancer;
  }

  /** Each server's state as HAProxy sees it (UP, DOWN, "UP 1/2"...). */
  async states(): Promise<Map<string, string>> {
    const csv = await (await fetch(this.statsUrl, { signal: AbortSignal.timeout(2000) })).text();
    const lines = csv.replace(/^# /, '').trim().split('\n');
    const columns = (lines[0] ?? '').split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) =>
      columns.indexOf(name),
    );
    const states = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      if (cells[proxy] === 'services' && !['FRONTEND', 'BACKEND'].includes(cells[server])) {
        states.set(cells[server], cells[status]);
      }
    }
    return states;
  }

  /** Bounded wait until HAProxy counts `name` as UP: its health check passed twice. */
  waitUntilUp(name: string, timeoutMs = 30_000): Promise<void> {
    return this.waitUntil((states) => states.get(name) === 'UP', `${name} UP`, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntil(
    done: (states: Map<string, string>) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: string;
    for (;;) {
      try {
        const states = await this.states();
        if (done(states)) return;
        last = JSON.stringify([...states]);
      } catch (error) {
        last = String(error);
      }
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`${what} not reached within ${timeoutMs} ms (${last})\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function configFor(servers: readonly BalancedServer[], port: number, statsPort: number): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  retries 3',
    '  option redispatch 1',
    'frontend webhook',
    `  bind 127.0.0.1:${port}`,
    '  default_backend services',
    'frontend stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    'backend services',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    '  default-server inter 500ms fall 2 rise 2',
    ...servers.map(
      (server) => `  server ${server.name} 127.0.0.1:${server.port} check port ${server.checkPort}`,
    ),
    '',
  ].join('\n');
}
