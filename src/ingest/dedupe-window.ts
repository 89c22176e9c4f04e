/**
 * Event ids already published, for `windowMs`, at most `capacity` of them: a sender's retry of a
 * request whose answer it lost is recognised instead of published again. Ids are kept in the
 * order they were published, so the oldest leave first, whether by age or to make room.
 */
export class DedupeWindow {
  /** Id → when it was published; a Map iterates in insertion order, oldest first. */
  private readonly published = new Map<string, number>();
  /** Ids that left before their time to make room: the window was too small for the traffic. */
  evictedEarly = 0;

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.published.size;
  }

  has(id: string): boolean {
    this.expire();
    return this.published.has(id);
  }

  remember(ids: Iterable<string>): void {
    const now = this.now();
    for (const id of ids) {
      // Re-inserted at the end: its window starts again from this publication.
      this.published.delete(id);
      if (this.published.size >= this.capacity) {
        this.published.delete(this.published.keys().next().value as string);
        this.evictedEarly++;
      }
      this.published.set(id, now);
    }
  }

  private expire(): void {
    const oldest = this.now() - this.windowMs;
    for (const [id, at] of this.published) {
      if (at > oldest) return;
      this.published.delete(id);
    }
  }
}
