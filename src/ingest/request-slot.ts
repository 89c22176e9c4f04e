import type { FastifyInstance } from 'fastify';

/**
 * A value a request carries under a symbol only its owner holds: no header, body or other code
 * can set it, and it is forgotten with the request. Fastify declares the slot on every request
 * (`declare`), so every request is built with the same shape: one that gains a property later
 * changes shape, and the code that reads requests slows down.
 */
export class RequestSlot<T> {
  private readonly key: symbol;

  constructor(description: string) {
    this.key = Symbol(description);
  }

  declare(fastify: FastifyInstance): void {
    fastify.decorateRequest(this.key, undefined);
  }

  get(request: object): T | undefined {
    return (request as Record<symbol, T | undefined>)[this.key];
  }

  set(request: object, value: T | undefined): void {
    (request as Record<symbol, T | undefined>)[this.key] = value;
  }
}
