/**
 * JSON Schemas (2020-12) of the contents Kytos-ng's NApps send, as the Kafka record's `message`
 * carries them. Each is taken from the object's `as_dict` in the Kytos-ng sources (kytos core's
 * Switch, Interface and Link, of_core's Flow, mef_eline's EVC) and from the contents the real
 * controller sent in the full-stack tests (docs/kytos-event-catalogue.json).
 *
 * Strict where a consumer would break: the fields `as_dict` always writes are required and
 * typed, so a renamed or retyped field fails. Open where Kytos may grow: further fields pass.
 */

export type JsonSchema = { [keyword: string]: unknown };

/**
 * Where the contract document keeps a schema; every reference between schemas points there
 * (ajv, strict, refuses one that points nowhere when the validators are compiled).
 */
export function schemaRef(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}/schema` };
}

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const boolean = { type: 'boolean' } as const;
const object = { type: 'object' } as const;
const strings = { type: 'array', items: string } as const;

/** An object whose listed fields are all required and typed; further fields pass. */
function shape(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description && { description }),
    properties,
    required: Object.keys(properties),
  };
}

/** kytos.core's EntityStatus. */
const status = { type: 'string', enum: ['UP', 'DOWN', 'DISABLED'] } as const;

/** The schemas, by the name the contract document gives them. */
const SCHEMAS = {
  Interface: shape(
    {
      id: string,
      name: string,
      port_number: integer,
      mac: string,
      switch: string,
      type: { const: 'interface' },
      nni: boolean,
      uni: boolean,
      // Speed in bytes a second; None when the switch reports no speed.
      speed: { type: ['integer', 'null'] },
      metadata: object,
      lldp: boolean,
      active: boolean,
      enabled: boolean,
      status,
      status_reason: strings,
      link: { ...string, description: "the link's id, or empty" },
    },
    'kytos.core.interface.Interface.as_dict(); `stats` once of_core has polled the port',
  ),
  Switch: shape(
    {
      id: string,
      name: string,
      dpid: string,
      connection: { ...string, description: '`address:port`, or empty while disconnected' },
      ofp_version: { type: ['string', 'null'] },
      type: { const: 'switch' },
      manufacturer: string,
      serial: string,
      hardware: string,
      software: { type: ['string', 'null'] },
      data_path: string,
      interfaces: { type: 'object', additionalProperties: schemaRef('Interface') },
      metadata: object,
      active: boolean,
      enabled: boolean,
      status,
      status_reason: strings,
    },
    'kytos.core.switch.Switch.as_dict(); `interfaces` by interface id',
  ),
  Link: shape(
    {
      id: string,
      endpoint_a: schemaRef('Interface'),
      endpoint_b: schemaRef('Interface'),
      metadata: object,
      active: boolean,
      enabled: boolean,
      status,
      status_reason: strings,
    },
    'kytos.core.link.Link.as_dict()',
  ),
  Topology: shape(
    {
      switches: { type: 'object', additionalProperties: schemaRef('Switch') },
      links: { type: 'object', additionalProperties: schemaRef('Link') },
    },
    "topology's whole view: switches by dpid, links by id",
  ),
  Flow: shape(
    {
      id: string,
      switch: string,
      table_id: integer,
      match: object,
      priority: integer,
      idle_timeout: integer,
      hard_timeout: integer,
      // 64-bit: above 2^53 a JSON reader without big integers rounds it.
      cookie: { ...integer, minimum: 0 },
      cookie_mask: { ...integer, minimum: 0 },
      instructions: { type: 'array', items: object },
      stats: object,
    },
    'of_core.v0x04.flow.Flow.as_dict() (the flow as flow_manager stored it)',
  ),
  FlowRemovedMessage: shape(
    {
      cookie: { ...integer, minimum: 0 },
      priority: integer,
      reason: shape({ name: string, value: integer }),
      table_id: integer,
      duration_sec: integer,
      duration_nsec: integer,
      idle_timeout: integer,
      hard_timeout: integer,
      packet_count: integer,
      byte_count: integer,
      match: object,
    },
    "the switch's OpenFlow 1.3 FlowRemoved message, as python-openflow reads it",
  ),
  Tag: shape(
    {
      tag_type: { type: ['string', 'integer'] },
      value: { type: ['integer', 'string', 'array'] },
    },
    'kytos.core.interface.TAG.as_dict(): a VLAN, `any`, `untagged` or a range',
  ),
  Uni: shape(
    {
      interface_id: string,
      tag: { anyOf: [schemaRef('Tag'), { type: 'null' }] },
    },
    'kytos.core.interface.UNI.as_dict()',
  ),
  EvcEvent: shape(
    {
      id: string,
      evc_id: string,
      name: string,
      metadata: object,
      active: boolean,
      enabled: boolean,
      uni_a: schemaRef('Uni'),
      uni_z: schemaRef('Uni'),
    },
    "the circuit's fields mef_eline sends with its events (a part of EVC.as_dict())",
  ),
  EvcFailoverEvent: {
    type: 'object',
    description:
      'by circuit id: the circuit, and the flows mef_eline installed or removed for it, by switch',
    additionalProperties: {
      allOf: [schemaRef('EvcEvent')],
      type: 'object',
      properties: {
        flows: { type: 'object', additionalProperties: { type: 'array', items: object } },
      },
    },
  },
  CircuitsLoadedEvent: {
    type: 'object',
    description: 'the circuits mef_eline read from its database at start, by id, as stored',
    additionalProperties: object,
  },
  SwitchEvent: shape({ switch: schemaRef('Switch') }),
  SwitchIdEvent: shape({ dpid: string }),
  InterfaceEvent: shape({ interface: schemaRef('Interface') }),
  InterfaceStatusEvent: shape({ interface: schemaRef('Interface'), reason: string }),
  InterfacesEvent: shape({
    dpid: string,
    interfaces: { type: 'array', items: schemaRef('Interface') },
  }),
  PortEvent: shape({
    switch: string,
    port: integer,
    port_description: shape({ alias: string, mac: string, state: integer }),
  }),
  LinkEvent: shape({ link: schemaRef('Link') }),
  LinkStatusEvent: shape({ link: schemaRef('Link'), reason: string }),
  TopologyEvent: shape({ topology: schemaRef('Topology') }),
  TopologyLoadedEvent: shape({
    topology: schemaRef('Topology'),
    failed_switches: object,
    failed_links: object,
  }),
  FlowEvent: shape(
    { datapath: schemaRef('Switch'), flow: schemaRef('Flow') },
    'the switch, and the flow flow_manager sent, stored or saw confirmed',
  ),
  FlowRemovedEvent: shape({
    datapath: schemaRef('Switch'),
    flow: schemaRef('FlowRemovedMessage'),
  }),
  FlowStatsEvent: shape({
    switch: schemaRef('Switch'),
    replies_flows: { type: 'array', items: schemaRef('Flow') },
  }),
  PortStatsEvent: shape({ switch: schemaRef('Switch'), port_stats: { type: 'array' } }),
  ConnectionEvent: shape(
    {
      source: shape({ address: string, port: integer, protocol: object }),
    },
    'a new OpenFlow connection, before the handshake',
  ),
  LivenessPairEvent: shape(
    { interface_a: schemaRef('Interface'), interface_b: schemaRef('Interface') },
    'the two ends of a link whose LLDP liveness changed',
  ),
  LivenessEvent: shape({ interfaces: { type: 'array', items: schemaRef('Interface') } }),
  InterruptionEvent: shape(
    { type: string, switches: strings, interfaces: strings, links: strings },
    'what a maintenance window (or another interruption) takes out, by id',
  ),
  LoadedEvent: { type: 'object', description: 'a NApp finished loading; no fields' },
} satisfies Record<string, JsonSchema>;

export type ContentSchemaName = keyof typeof SCHEMAS;

/** Each schema as a standalone JSON Schema 2020-12 document (its references still into the contract). */
export const CONTENT_SCHEMAS: Readonly<Record<ContentSchemaName, JsonSchema>> = SCHEMAS;

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
