import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { pathOf } from '../logging/index.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * 405 with an Allow header, in the one error shape, for a known path asked with a method it does
 * not serve (rather than 404, or a 415 from the body parser before routing). The routes come
 * from the OpenAPI document, so they cannot disagree with what the API says it serves.
 */
export function methodNotAllowed(
  document: OpenAPIObject,
): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const routes = Object.entries(document.paths).map(([template, item]) => {
    const pattern = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const allowed = METHODS.filter((method) => method in item).map((m) => m.toUpperCase());
    const parameters = (template.match(/\{/g) ?? []).length;
    return { path: new RegExp(`^${pattern}/?$`), allowed, parameters };
  });
  return (request, reply, done) => {
    // A request the router matched is asked with a method its path serves: nothing to check.
    if (!request.is404) return done();
    const path = pathOf(request.raw);
    const candidates = routes.filter((route) => route.path.test(path));
    if (candidates.length === 0) return done();
    // As the router does: `/filters/dry-run` is that route, not `/filters/{id}` with id "dry-run".
    const fewest = Math.min(...candidates.map((route) => route.parameters));
    const matching = candidates.filter((route) => route.parameters === fewest);
    const allowed = [...new Set(matching.flatMap((route) => route.allowed))];
    if (allowed.includes('GET')) allowed.push('HEAD');
    if (allowed.includes(request.method)) return done();
    void reply
      .code(405)
      .header('Allow', allowed.join(', '))
      .send({
        statusCode: 405,
        error: STATUS_CODES[405],
        message: `${request.method} is not served at ${path}; allowed: ${allowed.join(', ')}`,
      });
  };
}
