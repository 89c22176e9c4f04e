// The HTTP edge's public face: what the composition root puts together, and nothing a feature uses.
export { SWAGGER_PATH } from './api-routes.js';
export { frontDoor } from './front-door.js';
export { HttpEdgeModule } from './http-edge.module.js';
export { HttpErrorFilter } from './http-error.filter.js';
export { httpSettings, type HttpSettings } from './http.settings.js';
export { separateManagementPort } from './management-port.js';
export { methodNotAllowed } from './method-not-allowed.js';
export { buildOpenApiDocument, serveSwaggerUi } from './openapi.js';
