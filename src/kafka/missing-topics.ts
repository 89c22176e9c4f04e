/**
 * Topics records are routed to that do not exist and could not be created (creation refused by
 * the broker's policy or this service's rights). Their records are refused at once instead of
 * holding every other topic back behind kafkajs' metadata retries; creation is tried again after
 * `recheckMs`, so a topic an operator creates is used again without a restart.
 */
export class MissingTopics {
  private readonly missing = new Map<string, { since: number; reason: string }>();

  constructor(
    private readonly recheckMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Why records for `topic` are refused now; undefined when it may be tried. */
  reasonFor(topic: string): string | undefined {
    const entry = this.missing.get(topic);
    if (!entry || this.now() - entry.since >= this.recheckMs) return undefined;
    return entry.reason;
  }

  markMissing(topic: string, reason: string): void {
    this.missing.set(topic, { since: this.now(), reason });
  }

  markPresent(topic: string): void {
    this.missing.delete(topic);
  }

  get topics(): string[] {
    return [...this.missing.keys()];
  }
}
