import { createHash } from 'node:crypto';

/**
 * Kytos-ng's biggest events at production sizes, built from the shapes the real NApps give them
 * (as_dict of of_core's Switch, Interface and Flow04, topology's Link, mef_eline's stored EVC
 * document; see ../shared/kytos-ng and ../shared/kytos-events.sample.json) and as the NApp
 * serializes them. Each is JSON text, so that 64-bit cookies keep every digit.
 */
export interface BigEvent {
  name: string;
  /** The event's content as JSON text. */
  content: string;
}

const dpidOf = (n: number) =>
  `00:00:00:00:00:00:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;

const macOf = (n: number, port: number) =>
  `02:${[n >> 8, n, port >> 8, port, 0x11]
    .map((byte) => (byte & 0xff).toString(16).padStart(2, '0'))
    .join(':')}`;

const linkIdOf = (a: string, b: string) => createHash('sha256').update(`${a}${b}`).digest('hex');

function interfaceOf(switchNumber: number, port: number, link = '') {
  const dpid = dpidOf(switchNumber);
  return {
    id: `${dpid}:${port}`,
    name: `s${switchNumber}-eth${port}`,
    port_number: port,
    mac: macOf(switchNumber, port),
    switch: dpid,
    type: 'interface',
    nni: link !== '',
    uni: link === '',
    speed: 1250000000,
    metadata: {},
    lldp: true,
    active: true,
    enabled: true,
    status: 'UP',
    status_reason: [],
    link,
  };
}

function switchOf(n: number, ports: number, linkOfPort: (port: number) => string = () => '') {
  const dpid = dpidOf(n);
  const interfaces: Record<string, unknown> = {};
  for (let port = 1; port <= ports; port++) {
    interfaces[`${dpid}:${port}`] = interfaceOf(n, port, linkOfPort(port));
  }
  return {
    id: dpid,
    name: dpid,
    dpid,
    connection: `10.0.${n >> 8}.${n & 0xff}:${40000 + n}`,
    ofp_version: '0x04',
    type: 'switch',
    manufacturer: 'Nicira, Inc.',
    serial: 'None',
    hardware: 'Open vSwitch',
    software: '3.1.0',
    data_path: `s${n}`,
    interfaces,
    metadata: {},
    active: true,
    enabled: true,
    status: 'UP',
    status_reason: [],
  };
}

/** A 64-bit cookie as mef_eline makes them: 0xaa, then 56 bits of the circuit's id. */
const cookieOf = (i: number) => (0xaan << 56n) + BigInt(i) * 7919n;
const COOKIE = (i: number) => `@@cookie${i}@@`;
const withCookies = (json: string) =>
  json.replace(/"@@cookie(\d+)@@"/g, (_, i: string) => String(cookieOf(Number(i))));

/** of_core's periodic flow statistics of one switch holding `flows` flows. */
export function flowStats(flows: number): BigEvent {
  const sw = switchOf(1, 48);
  const replies = Array.from({ length: flows }, (_, i) => ({
    switch: sw.id,
    table_id: 0,
    match: { in_port: 1 + (i % 48), dl_vlan: 1 + (i % 4000) },
    priority: 20000,
    idle_timeout: 0,
    hard_timeout: 0,
    cookie: COOKIE(i),
    id: createHash('md5').update(`flow${i}`).digest('hex'),
    stats: {
      byte_count: 1_000_000 + i * 1517,
      duration_sec: 86_400 + (i % 3600),
      duration_nsec: 123_000_000 + i,
      packet_count: 10_000 + i * 13,
    },
    cookie_mask: 0,
    instructions: [
      {
        instruction_type: 'apply_actions',
        actions: [
          { action_type: 'set_vlan', vlan_id: 1 + ((i + 7) % 4000) },
          { action_type: 'output', port: 1 + ((i + 1) % 48) },
        ],
      },
    ],
  }));
  return {
    name: 'kytos/of_core.flow_stats.received',
    content: withCookies(JSON.stringify({ switch: sw, replies_flows: replies })),
  };
}

/** topology's `topology.updated`: every switch and link, here `switches` in a ring with chords. */
export function topologyUpdated(switches: number, links: number): BigEvent {
  const ends: [number, number, number, number][] = [];
  const nextPort = new Map<number, number>();
  const port = (n: number) => {
    const value = (nextPort.get(n) ?? 0) + 1;
    nextPort.set(n, value);
    return value;
  };
  for (let i = 0; i < links; i++) {
    const a = 1 + (i % switches);
    const b = 1 + ((i + 1 + Math.floor(i / switches) * 7) % switches);
    ends.push([a, port(a), b === a ? 1 + (b % switches) : b, 0]);
    const last = ends[ends.length - 1];
    last[3] = port(last[2]);
  }
  const linkIds = ends.map(([a, pa, b, pb]) =>
    linkIdOf(`${dpidOf(a)}:${pa}`, `${dpidOf(b)}:${pb}`),
  );
  const linkAt = new Map<string, string>();
  ends.forEach(([a, pa, b, pb], i) => {
    linkAt.set(`${a}:${pa}`, linkIds[i]);
    linkAt.set(`${b}:${pb}`, linkIds[i]);
  });
  const switchMap: Record<string, unknown> = {};
  for (let n = 1; n <= switches; n++) {
    const sw = switchOf(n, (nextPort.get(n) ?? 0) + 2, (p) => linkAt.get(`${n}:${p}`) ?? '');
    switchMap[sw.id] = sw;
  }
  const linkMap: Record<string, unknown> = {};
  ends.forEach(([a, pa, b, pb], i) => {
    linkMap[linkIds[i]] = {
      id: linkIds[i],
      endpoint_a: interfaceOf(a, pa, linkIds[i]),
      endpoint_b: interfaceOf(b, pb, linkIds[i]),
      metadata: { last_status_change: 1_765_000_000.123 + i, link_name: `l${i}` },
      active: true,
      enabled: true,
      status: 'UP',
      status_reason: [],
    };
  });
  return {
    name: 'kytos/topology.updated',
    content: JSON.stringify({ topology: { switches: switchMap, links: linkMap } }),
  };
}

/** mef_eline's `evcs_loaded`: every circuit, as its stored document (EVCBaseDoc's projection). */
export function evcsLoaded(circuits: number): BigEvent {
  const content: Record<string, unknown> = {};
  for (let i = 0; i < circuits; i++) {
    const id = createHash('sha1').update(`evc${i}`).digest('hex').slice(0, 14);
    const a = 1 + (i % 100);
    const z = 1 + ((i + 37) % 100);
    const hop = (from: number, to: number, vlan: number) => ({
      id: linkIdOf(`${dpidOf(from)}:${2}`, `${dpidOf(to)}:${3}`),
      endpoint_a: { id: `${dpidOf(from)}:2` },
      endpoint_b: { id: `${dpidOf(to)}:3` },
      metadata: { s_vlan: { tag_type: 'vlan', value: vlan } },
    });
    const path = [hop(a, (a % 100) + 1, 100 + (i % 3000)), hop((a % 100) + 1, z, 101 + (i % 3000))];
    content[id] = {
      id,
      name: `evc_${i}_s${a}_s${z}`,
      uni_a: { interface_id: `${dpidOf(a)}:1`, tag: { tag_type: 'vlan', value: 100 + (i % 3000) } },
      uni_z: { interface_id: `${dpidOf(z)}:1`, tag: { tag_type: 'vlan', value: 100 + (i % 3000) } },
      bandwidth: 0,
      primary_path: [],
      backup_path: [],
      current_path: path,
      failover_path: [],
      dynamic_backup_path: true,
      sb_priority: null,
      service_level: 0,
      circuit_scheduler: [],
      archived: false,
      metadata: { owner_ticket: `NOC-${10_000 + i}` },
      active: true,
      enabled: true,
      max_paths: 2,
      execution_rounds: 0,
      owner: null,
      queue_id: null,
      leftover_switch: null,
      primary_constraints: {},
      secondary_constraints: {},
      primary_links: [],
      backup_links: [],
      start_date: '2026-11-01T10:00:00',
      creation_time: '2026-11-01T10:00:00',
      request_time: '2026-11-01T10:00:00',
      end_date: null,
      flow_removed_at: null,
      updated_at: '2026-11-02T08:30:00',
      last_deployed_at: '2026-11-02T08:30:00',
    };
  }
  return { name: 'kytos/mef_eline.evcs_loaded', content: JSON.stringify(content) };
}
