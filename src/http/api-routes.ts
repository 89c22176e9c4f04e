/** Where Swagger UI and the OpenAPI document are served. */
export const SWAGGER_PATH = 'api/docs';
