/** One sample's value from Prometheus' text format, e.g. `kafka_events_rules{action="deny"}`. */
export function metricSample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
