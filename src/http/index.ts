// The HTTP edge's public face: only the composition root imports it (no feature does).
export { frontDoor } from './front-door.js';
export { HttpEdgeModule } from './http-edge.module.js';
export { HttpErrorFilter } from './http-error.filter.js';
export { httpSettings } from './http.settings.js';
export { separateManagementPort } from './management-port.js';
export { methodNotAllowed } from './method-not-allowed.js';
export { buildOpenApiDocument, serveSwaggerUi } from './openapi.js';
