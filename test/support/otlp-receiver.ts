import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status?: { code?: number; message?: string };
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** An OTLP/HTTP collector on loopback: what the exporter really sent, as JSON. */
export class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  serviceNames: string[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: ExportedSpan[] }[];
          }[];
        };
        for (const { resource, scopeSpans } of body.resourceSpans) {
          const name = resource.attributes.find((a) => a.key === 'service.name');
          this.serviceNames.push(name?.value.stringValue ?? '');
          for (const scope of scopeSpans) this.spans.push(...scope.spans);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/v1/traces`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
