import { setTimeout as sleep } from 'node:timers/promises';

/** Most refusals held at once; past this, they are answered at once (holding costs sockets). */
const MAX_HELD = 1000;

/**
 * Holds the answer to a refused webhook request for a while (half to one and a half times the
 * delay). A sender that waits for its answer before sending again (any flood tool with a fixed
 * number of connections, any token guesser) is slowed to `concurrency / delay` requests a
 * second, so unauthenticated traffic cannot take the CPU that authenticated traffic needs. Held
 * refusals cost a socket and a timer each, never a body: it is not read.
 */
export class RefusalDelay {
  private held = 0;

  constructor(
    private readonly delayMs: number,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  async hold(): Promise<void> {
    if (this.delayMs === 0 || this.held >= MAX_HELD) return;
    this.held++;
    try {
      // Spread out: refusals that arrived together would otherwise be answered in one burst.
      await this.wait(this.delayMs * (0.5 + Math.random()));
    } finally {
      this.held--;
    }
  }
}
