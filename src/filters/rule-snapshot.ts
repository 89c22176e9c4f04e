import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { FilterRule } from './filter-rule.js';
import { ruleFromStored, storedRuleOf, type StoredRule } from './stored-rule.js';

interface SnapshotFile {
  topic: string;
  rules: StoredRule[];
}

/**
 * The operator rules last applied from the rules topic, kept in a local file
 * (FILTER_SNAPSHOT_FILE): what an instance decides with when it starts while Kafka is away, and
 * the proof that a rules topic now missing once held rules.
 */
export class RuleSnapshot {
  private readonly logger = new Logger(RuleSnapshot.name);
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly topic: string,
  ) {}

  /** The rules of the snapshot of this topic, or undefined when there is none (or it is unusable). */
  load(): FilterRule[] | undefined {
    let saved: SnapshotFile;
    try {
      saved = JSON.parse(readFileSync(this.path, 'utf8')) as SnapshotFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.error(`ignoring the rules snapshot ${this.path}: ${(error as Error).message}`);
      }
      return undefined;
    }
    if (saved?.topic !== this.topic || !Array.isArray(saved.rules)) {
      this.logger.error(
        `ignoring the rules snapshot ${this.path}: not a snapshot of ${this.topic}`,
      );
      return undefined;
    }
    const rules: FilterRule[] = [];
    for (const stored of saved.rules) {
      const rule = ruleFromStored(stored);
      if (typeof rule === 'string') {
        this.logger.error(`ignoring an unusable rule in ${this.path}: ${rule}`);
      } else {
        rules.push(rule);
      }
    }
    return rules;
  }

  /** Replaces the file (written aside, then renamed); saves run one after another. */
  save(rules: readonly FilterRule[]): void {
    const content: SnapshotFile = {
      topic: this.topic,
      rules: rules.map(storedRuleOf),
    };
    this.saving = this.saving.then(async () => {
      try {
        await writeFile(`${this.path}.tmp`, JSON.stringify(content));
        await rename(`${this.path}.tmp`, this.path);
      } catch (error) {
        this.logger.error(`cannot write the rules snapshot ${this.path}: ${String(error)}`);
      }
    });
  }

  /** Resolves once every save asked for is done. */
  flushed(): Promise<void> {
    return this.saving;
  }
}
