import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { repoRoot } from '../test/support/repo-root.js';
import { spawnService } from '../test/support/service-process.js';
import { AreaEntry, summarizeProfile, ProfileEntry } from './cpu-profile.js';
import { load } from './delivery.bench.js';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 8);

export interface ProfileRun {
  name: string;
  requests: number;
  entries: ProfileEntry[];
  areas: AreaEntry[];
  artifact: string;
}

/**
 * The service under the load the bench measures, with V8's sampling profiler on (`--cpu-prof`):
 * where its CPU goes, function by function. Each summary is kept in bench/profiles/ so that the
 * README can compare before and after a change.
 */
export async function profileService(): Promise<ProfileRun[]> {
  const broker = await KafkaBroker.start();
  const runs: ProfileRun[] = [];
  const out = join(repoRoot, 'bench', 'profiles');
  mkdirSync(out, { recursive: true });
  try {
    for (const [mode, perRequest, connections] of [
      ['kafka', 1, 64],
      ['spool', 1, 64],
      ['kafka', 100, 16],
    ] as const) {
      const name = `${mode}-${perRequest === 1 ? 'single' : 'batch100'}-${connections}conn`;
      const profiles = mkdtempSync(join(tmpdir(), 'bench-profile-'));
      const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
      try {
        const service = await spawnService(
          {
            KAFKA_BROKERS: broker.brokers,
            KAFKA_TOPIC: `profile_${name}`,
            DELIVERY_MODE: mode,
            SPOOL_DIR: spoolDir,
            // One load generator is one client; see delivery.bench.ts.
            RATE_LIMIT_PER_SECOND: '0',
          },
          ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
        );
        let requests = 0;
        try {
          await load(service, { connections: 8, perRequest, seconds: 1 });
          const result = await load(service, { connections, perRequest, seconds: SECONDS });
          requests = result['2xx'];
        } finally {
          service.child.kill('SIGTERM');
          await new Promise((resolve) => service.child.once('exit', resolve));
        }
        const [file] = readdirSync(profiles).filter((entry) => entry.endsWith('.cpuprofile'));
        if (!file) throw new Error(`no profile written for ${name}`);
        const { entries, areas } = summarizeProfile(join(profiles, file), 25);
        const artifact = join(out, `${name}.md`);
        writeFileSync(artifact, profileTable(name, requests, entries, areas));
        runs.push({ name, requests, entries, areas, artifact });
      } finally {
        rmSync(profiles, { recursive: true, force: true });
        rmSync(spoolDir, { recursive: true, force: true });
      }
    }
    return runs;
  } finally {
    await broker.stop();
  }
}

export function profileTable(
  name: string,
  requests: number,
  entries: ProfileEntry[],
  areas: AreaEntry[],
): string {
  const lines = [
    `# CPU profile: ${name}`,
    '',
    `${requests} requests answered 2xx in ${SECONDS} s; the whole process, start included. Self: samples in the function itself; total: with it on the stack.`,
    '',
    '| self | total | function |',
    '| ---: | ---: | --- |',
    ...entries.map(
      (entry) =>
        `| ${(entry.selfShare * 100).toFixed(1)}% | ${(entry.totalShare * 100).toFixed(1)}% | \`${entry.frame.replaceAll('|', '\\|')}\` |`,
    ),
    '',
    'Self time by area (a package, a folder of ours, Node itself):',
    '',
    '| self | area |',
    '| ---: | --- |',
    ...areas.map((entry) => `| ${(entry.selfShare * 100).toFixed(1)}% | \`${entry.area}\` |`),
  ];
  return `${lines.join('\n')}\n`;
}
