import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';

export interface SampleEvent {
  name: string;
  id: string;
  timestamp: string;
  content: Record<string, unknown>;
}

/** Realistic Kytos events (switch, interface, link, EVC shapes), copied from shared/. */
export const sampleEvents: SampleEvent[] = JSON.parse(
  readFileSync(join(repoRoot, 'test/fixtures/kytos-events.sample.json'), 'utf8'),
) as SampleEvent[];
