import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** Runs one of Apache Kafka's own Java tools from the jars scripts/kafka.sh downloaded. */
export async function kafkaTool(
  mainClass: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<string> {
  const { stdout } = await run(
    'java',
    [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${join(repoRoot, 'scripts/kafka/tools-log4j2.properties')}`,
      '-cp',
      join(repoRoot, '.kafka/libs/*'),
      mainClass,
      ...args,
    ],
    { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** Kafka's console consumer (Java): decodes every codec with the reference implementation. */
export async function consoleConsume(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<string[]> {
  const out = await kafkaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--bootstrap-server',
    brokers,
    '--topic',
    topic,
    '--from-beginning',
    '--max-messages',
    String(count),
    '--timeout-ms',
    String(timeoutMs),
  ]);
  return out.split('\n').filter((line) => line.startsWith('{'));
}

/** The compression codec of every record batch stored in the given log segment files. */
export async function storedCodecs(segmentFiles: string[]): Promise<string[]> {
  const out = await kafkaTool('org.apache.kafka.tools.DumpLogSegments', [
    '--files',
    segmentFiles.join(','),
  ]);
  return [...out.matchAll(/compresscodec: (\w+)/g)].map((match) => match[1] ?? '');
}
