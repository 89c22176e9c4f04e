import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DrainOutcome } from '../../src/publisher/spool/spool-delivery.js';
import { repoRoot } from './repo-root.js';
import { waitUntilReady } from './service.js';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Where the probes and the metrics answer: `url` unless MANAGEMENT_PORT is set. */
  managementUrl: string;
  output: () => string;
}

/**
 * The service as operators run it: `node dist/src/main.js`, configured by environment.
 * `nodeArgs` go to node before the script (the bench's profiler: `--cpu-prof`); `root` is the
 * built tree it runs from (the bench's comparison runs another revision's).
 */
export async function spawnService(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  root = repoRoot,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      NO_COLOR: '1',
      HOST: '127.0.0.1',
      PORT: '0',
      AUTH_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Generous: on two cores shared with a broker and other instances, a start took over 20 s.
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+);/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      assert.fail(`service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /listening on (http:\/\/\S+);/.exec(output)?.[1] ?? '';
  const managementUrl = /health and metrics on (http:\/\/\S+) /.exec(output)?.[1] ?? url;
  try {
    await waitUntilReady(managementUrl);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, url, managementUrl, output: () => output };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The spool drain command as an operator's Job runs it: `node dist/src/drain-spool.js`. */
export function runDrainSpool(
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/src/drain-spool.js')], {
      env: { ...process.env, NO_COLOR: '1', AUTH_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON line the drain command prints last on its standard output. */
export function drainOutcome(result: CommandResult): DrainOutcome {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as DrainOutcome;
}
