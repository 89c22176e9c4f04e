import { Controller, Get, Header, Inject, StreamableFile } from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { filterSettings, type FilterSettings } from '../filters/index.js';
import { kafkaSettings, type KafkaSettings } from '../kafka/index.js';
import { buildAsyncApiDocument } from './asyncapi-document.js';

/** Where the contract is served: the document, and the page that renders it (linked from Swagger UI). */
export const ASYNCAPI_DOCUMENT_PATH = 'api/asyncapi.json';
export const ASYNCAPI_PAGE_PATH = 'api/asyncapi';

/**
 * The page's own content policy, in place of the API's `default-src 'none'`: its scripts and
 * style from here only (AsyncAPI's bundled parser compiles schemas with `new Function`).
 */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** AsyncAPI's own renderer (its React component's standalone bundle, React included) and style. */
const resolve = createRequire(import.meta.url).resolve;
const RENDERER = resolve('@asyncapi/react-component/browser/standalone/index.js');
const STYLE = resolve('@asyncapi/react-component/styles/default.min.css');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kafka-events: the records it writes</title>
<link rel="stylesheet" href="/${ASYNCAPI_PAGE_PATH}/default.min.css">
</head>
<body>
<div id="asyncapi"></div>
<script src="/${ASYNCAPI_PAGE_PATH}/index.js"></script>
<script src="/${ASYNCAPI_PAGE_PATH}/render.js"></script>
</body>
</html>
`;

/** Renders the document into the page; a file, not inline, so the page's policy needs no 'unsafe-inline' script. */
const RENDER = `AsyncApiStandalone.render({
  schema: { url: '/${ASYNCAPI_DOCUMENT_PATH}', requestOptions: { credentials: 'same-origin' } },
  config: { show: { sidebar: true, errors: true }, sidebar: { showOperations: 'byDefault' } },
}, document.getElementById('asyncapi'));
`;

/**
 * The contract for the consumers of the topics, open to anyone who can reach the API, as its
 * OpenAPI document is: it names topics and shapes, no secret.
 */
@ApiTags('contract')
@ApiSecurity({})
@Controller()
export class ContractController {
  /** Serialized once: the document does not change while the service runs, and is large. */
  private readonly document: string;

  constructor(
    @Inject(kafkaSettings.token) kafka: KafkaSettings,
    @Inject(filterSettings.token) filters: FilterSettings,
  ) {
    this.document = JSON.stringify(buildAsyncApiDocument({ kafka, filters }));
  }

  @Get(ASYNCAPI_DOCUMENT_PATH)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    summary: 'The AsyncAPI 3.0 document of the records written to Kafka',
    description:
      'Topics, record keys, headers and values, with the JSON Schemas (2020-12) of the event families, for the topics this instance is configured with.',
  })
  @ApiOkResponse({ description: 'the AsyncAPI document', schema: { type: 'object' } })
  @ApiTooManyRequestsResponse({
    description: 'over RATE_LIMIT_PER_SECOND for this client; retry after Retry-After',
  })
  asyncApiDocument(): string {
    return this.document;
  }

  @Get(ASYNCAPI_PAGE_PATH)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_POLICY)
  page(): string {
    return PAGE;
  }

  @Get(`${ASYNCAPI_PAGE_PATH}/index.js`)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  renderer(): StreamableFile {
    return new StreamableFile(createReadStream(RENDERER));
  }

  @Get(`${ASYNCAPI_PAGE_PATH}/render.js`)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  render(): string {
    return RENDER;
  }

  @Get(`${ASYNCAPI_PAGE_PATH}/default.min.css`)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  style(): StreamableFile {
    return new StreamableFile(createReadStream(STYLE));
  }
}
