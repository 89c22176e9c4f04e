import {
  integer,
  optionalInteger,
  optionalText,
  text,
  verbatim,
  SettingsGroup,
  type SettingsOf,
} from '../config/index.js';

/** Where the service listens, how it closes, and who may send how much (the HTTP edge's). */
export const httpSettings = new SettingsGroup(
  'HTTP',
  {
    HOST: text('127.0.0.1', checkHost).about('address to listen on (`0.0.0.0` in a container)'),
    PORT: integer(8080, 0, 65535).about('HTTP port'),
    MANAGEMENT_PORT: optionalInteger(0, 65535).about(
      "port of `/health/*` and `/metrics`, the webhook's port then answering `404` for them; unset: they answer on `PORT`; `0`: any free port",
    ),
    MANAGEMENT_HOST: optionalText(checkHost).about(
      'address the management port listens on (only with `MANAGEMENT_PORT`)',
      '`HOST`',
    ),
    SHUTDOWN_TIMEOUT_MS: integer(15_000, 100, 600_000).about(
      'after SIGTERM, the longest wait for in-flight requests and the flush',
    ),
    RATE_LIMIT_PER_SECOND: integer(10_000, 0, 1_000_000).about(
      'requests a second per client address, on average, on every route but the probes and `/metrics`, which have budgets of their own (`0`: no limit on any; `429` beyond)',
    ),
    RATE_LIMIT_BURST: integer(20_000, 1, 10_000_000).about(
      'requests a client may send at once, once its bucket has filled',
    ),
    TRUST_PROXY_HOPS: integer(0, 0, 10).about(
      "proxies whose `X-Forwarded-For` names the client (rate limits, logs); `0`: the socket's address",
    ),
  },
  (env) => ({
    host: env.HOST,
    port: env.PORT,
    /** Where the probes and the metrics answer instead of `port`; undefined: on `port`. */
    management:
      env.MANAGEMENT_PORT === undefined
        ? undefined
        : { port: env.MANAGEMENT_PORT, host: env.MANAGEMENT_HOST ?? env.HOST },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    /** Requests a second per client address (0: no limit), and how many at once. */
    rateLimitPerSecond: env.RATE_LIMIT_PER_SECOND,
    rateLimitBurst: env.RATE_LIMIT_BURST,
    /**
     * Proxies in front of the service whose X-Forwarded-For is believed (0: none, the socket's
     * address is the client's). Only set it when such proxies exist: a client could name itself.
     */
    trustProxyHops: env.TRUST_PROXY_HOPS,
  }),
  (env, ctx) => {
    // Two 0s are two free ports, told apart by the system.
    if (
      env.MANAGEMENT_PORT !== undefined &&
      env.MANAGEMENT_PORT !== 0 &&
      env.MANAGEMENT_PORT === env.PORT
    ) {
      verbatim(
        ctx,
        `MANAGEMENT_PORT (${env.MANAGEMENT_PORT}) must differ from PORT (${env.PORT}): the management port keeps the probes and the metrics away from the webhook's port`,
      );
    }
    if (env.MANAGEMENT_HOST !== undefined && env.MANAGEMENT_PORT === undefined) {
      verbatim(
        ctx,
        'MANAGEMENT_HOST is set but MANAGEMENT_PORT is not: set MANAGEMENT_PORT too, or the probes and the metrics stay on PORT',
      );
    }
  },
);

export type HttpSettings = SettingsOf<typeof httpSettings>;

function checkHost(value: string): string | undefined {
  return /^[A-Za-z0-9.\-:]{1,253}$/.test(value) ? undefined : 'a host name or IP address';
}
