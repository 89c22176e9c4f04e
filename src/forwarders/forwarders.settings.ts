import { integer, SettingsGroup, type SettingsOf } from '../config/index.js';

/** What the service keeps of the NApps that report to it (ForwardersModule's). */
export const forwardersSettings = new SettingsGroup(
  'Forwarders',
  {
    FORWARDER_SILENT_AFTER_MS: integer(60_000, 1000, 86_400_000).about(
      'a forwarder (a Kytos NApp) with no report for longer than this shows as silent (`kafka_events_forwarder_silent` 1): its kytosd is stuck, stopped or cut off',
    ),
    FORWARDERS_MAX: integer(64, 1, 10_000).about(
      'most distinct forwarders remembered (each a label value of the `kafka_events_forwarder_*` metrics); a report from one more is refused with `429`, and none is forgotten until a restart',
    ),
  },
  (env) => ({
    silentAfterMs: env.FORWARDER_SILENT_AFTER_MS,
    maxForwarders: env.FORWARDERS_MAX,
  }),
);

export type ForwardersSettings = SettingsOf<typeof forwardersSettings>;
