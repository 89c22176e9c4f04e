import { optionalText, SettingsGroup, type SettingsOf, text } from '../config/index.js';

/** Where spans go (TracingModule's); OpenTelemetry's own variable names. */
export const tracingSettings = new SettingsGroup(
  'Tracing',
  {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText(checkHttpUrl).about(
      'OTLP/HTTP endpoint of the trace collector (`http://` or `https://`); unset with `OTEL_EXPORTER_OTLP_ENDPOINT`: no spans (Traces)',
    ),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText(checkHttpUrl).about(
      'base OTLP/HTTP endpoint, `/v1/traces` added',
    ),
    OTEL_SERVICE_NAME: text('kafka-events', checkServiceName).about('`service.name` of the spans'),
  },
  (env) => ({
    /** Where finished spans go, OTLP over HTTP; undefined: no exporter, trace context passed on as is. */
    otlpTracesEndpoint:
      // The signal's own endpoint, else the base one with its path.
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (env.OTEL_EXPORTER_OTLP_ENDPOINT &&
        `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`),
    serviceName: env.OTEL_SERVICE_NAME,
  }),
);

export type TracingSettings = SettingsOf<typeof tracingSettings>;

function checkHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '')
      return undefined;
  } catch {
    // Not a URL at all: the same answer.
  }
  return 'an http:// or https:// URL (the OTLP/HTTP collector)';
}

function checkServiceName(value: string): string | undefined {
  return /^[\x20-\x7e]{1,255}$/.test(value) ? undefined : '1 to 255 printable ASCII characters';
}
