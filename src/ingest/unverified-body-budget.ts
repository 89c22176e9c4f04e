/** One body being read before its sender is known: what it holds and how to stop it. */
export interface UnverifiedBody {
  /**
   * Counts `bytes` more of this body; returns why they are refused (the request is then to be
   * answered 503), or undefined when they are held.
   */
  add(bytes: number): string | undefined;
  /** The body is verified, refused or gone: its bytes leave the budget. Idempotent. */
  release(): void;
}

interface HeldBody {
  client: ClientBodies;
  bytes: number;
  cut: (reason: string) => void;
}

interface ClientBodies {
  key: string;
  bytes: number;
  bodies: Set<HeldBody>;
}

/**
 * Bounds the memory that senders nobody has authenticated yet can make the service hold: the
 * bytes of bodies read before their signature is checked (an HMAC is known only at the body's
 * end). The whole service holds at most `totalBytes` of them, one client (an address, as the rate
 * limiter counts it) at most `perClientBytes`. When the total is reached, a client holding less
 * than another takes its share back from the one holding most (max-min fairness): that one's
 * largest body is cut. So many addresses can fill the budget, but cannot keep a client that holds
 * little (Kytos posting a small event) from being read.
 */
export class UnverifiedBodyBudget {
  private total = 0;
  private readonly clients = new Map<string, ClientBodies>();
  private closingReason: string | undefined;

  constructor(
    private readonly totalBytes: number,
    private readonly perClientBytes: number,
  ) {}

  /** Bytes held now, by every client. */
  get heldBytes(): number {
    return this.total;
  }

  /**
   * Starts counting a body of `client`. `cut` is called (at most once, maybe at once) when the
   * service takes the body's bytes back: a fairer client needs them, or the service is closing.
   */
  open(client: string, cut: (reason: string) => void): UnverifiedBody {
    if (this.closingReason !== undefined) {
      cut(this.closingReason);
      return { add: () => this.closingReason, release: () => undefined };
    }
    let owner = this.clients.get(client);
    if (!owner) {
      owner = { key: client, bytes: 0, bodies: new Set() };
      this.clients.set(client, owner);
    }
    const body: HeldBody = { client: owner, bytes: 0, cut };
    owner.bodies.add(body);
    return {
      add: (bytes) => this.add(body, bytes),
      release: () => this.drop(body),
    };
  }

  /** At shutdown: every body held is cut, and every later one as it opens. */
  cutAll(reason: string): void {
    this.closingReason = reason;
    for (const owner of [...this.clients.values()]) {
      for (const body of [...owner.bodies]) {
        this.drop(body);
        body.cut(reason);
      }
    }
  }

  private add(body: HeldBody, bytes: number): string | undefined {
    if (this.closingReason !== undefined) return this.closingReason;
    if (!body.client.bodies.has(body)) return 'its bytes were taken back';
    const owner = body.client;
    if (owner.bytes + bytes > this.perClientBytes) {
      return `this client already sends ${owner.bytes} bytes of bodies not yet verified (at most ${this.perClientBytes})`;
    }
    while (this.total + bytes > this.totalBytes) {
      const richest = this.richestOtherThan(owner);
      if (!richest || richest.bytes <= owner.bytes + bytes) {
        return `the service already holds ${this.total} bytes of bodies not yet verified (AUTH_UNVERIFIED_BYTES_MAX)`;
      }
      const largest = [...richest.bodies].reduce((a, b) => (b.bytes > a.bytes ? b : a));
      this.drop(largest);
      largest.cut('another client needed its share of the bytes held for bodies not yet verified');
    }
    this.total += bytes;
    owner.bytes += bytes;
    body.bytes += bytes;
    return undefined;
  }

  private richestOtherThan(owner: ClientBodies): ClientBodies | undefined {
    let richest: ClientBodies | undefined;
    for (const candidate of this.clients.values()) {
      if (candidate !== owner && candidate.bytes > (richest?.bytes ?? 0)) richest = candidate;
    }
    return richest;
  }

  private drop(body: HeldBody): void {
    const owner = body.client;
    if (!owner.bodies.delete(body)) return;
    this.total -= body.bytes;
    owner.bytes -= body.bytes;
    body.bytes = 0;
    if (owner.bodies.size === 0) this.clients.delete(owner.key);
  }
}
