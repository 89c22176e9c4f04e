import type { ContentSchemaName } from './kytos-content-schemas.js';

/**
 * The families of Kytos-ng events whose contents the contract describes: each event name, as
 * its NApp sends it (read in the Kytos-ng sources and met in the full-stack tests), and the
 * schema of its content. A name outside them is still published; it has no content schema.
 */
export interface EventFamily {
  /** The AsyncAPI message's name. */
  readonly message: string;
  readonly title: string;
  readonly events: Readonly<Record<string, ContentSchemaName>>;
}

export const EVENT_FAMILIES: readonly EventFamily[] = [
  {
    message: 'topologySwitch',
    title: "topology's switch events",
    events: {
      'kytos/topology.switch.enabled': 'SwitchIdEvent',
      'kytos/topology.switch.disabled': 'SwitchIdEvent',
      'kytos/topology.switch.deleted': 'SwitchEvent',
    },
  },
  {
    message: 'topologyInterface',
    title: "topology's interface and port events",
    events: {
      'kytos/topology.interface.up': 'InterfaceStatusEvent',
      'kytos/topology.interface.down': 'InterfaceStatusEvent',
      'kytos/topology.interface.deleted': 'InterfaceEvent',
      'kytos/topology.switch.interface.created': 'InterfaceEvent',
      'kytos/topology.port.created': 'PortEvent',
    },
  },
  {
    message: 'topologyLink',
    title: "topology's link events",
    events: {
      'kytos/topology.link_up': 'LinkStatusEvent',
      'kytos/topology.link_down': 'LinkStatusEvent',
      'kytos/topology.notify_link_up_if_status': 'LinkStatusEvent',
      'kytos/topology.link.enabled': 'LinkEvent',
      'kytos/topology.link.disabled': 'LinkEvent',
      'kytos/topology.link.deleted': 'LinkEvent',
    },
  },
  {
    message: 'topologyView',
    title: "topology's whole view (hundreds of KB on a large network)",
    events: {
      'kytos/topology.updated': 'TopologyEvent',
      'kytos/topology.topology_loaded': 'TopologyLoadedEvent',
    },
  },
  {
    message: 'mefElineCircuit',
    title: "mef_eline's circuit (EVC) events",
    events: {
      'kytos/mef_eline.created': 'EvcEvent',
      'kytos/mef_eline.updated': 'EvcEvent',
      'kytos/mef_eline.deployed': 'EvcEvent',
      'kytos/mef_eline.need_failover': 'EvcEvent',
      'kytos/mef_eline.undeployed': 'EvcEvent',
      'kytos/mef_eline.deleted': 'EvcEvent',
      'kytos/mef_eline.redeployed_link_up': 'EvcEvent',
      'kytos/mef_eline.redeployed_link_down': 'EvcEvent',
      'kytos/mef_eline.error_redeploy_link_down': 'EvcEvent',
      'kytos/mef_eline.uni_active_updated': 'EvcEvent',
      'kytos/mef_eline.failover_deployed': 'EvcFailoverEvent',
      'kytos/mef_eline.failover_link_down': 'EvcFailoverEvent',
      'kytos/mef_eline.failover_old_path': 'EvcFailoverEvent',
      'kytos/mef_eline.evcs_loaded': 'CircuitsLoadedEvent',
    },
  },
  {
    message: 'flowManagerFlow',
    title: "flow_manager's flow events",
    events: {
      'kytos/flow_manager.flow.added': 'FlowEvent',
      'kytos/flow_manager.flow.pending': 'FlowEvent',
      'kytos/flow_manager.flow.error': 'FlowEvent',
      'kytos/flow_manager.flow.removed': 'FlowRemovedEvent',
    },
  },
  {
    message: 'ofLldpLiveness',
    title: "of_lldp's liveness events",
    events: {
      'kytos/of_lldp.liveness.up': 'LivenessPairEvent',
      'kytos/of_lldp.liveness.down': 'LivenessPairEvent',
      'kytos/of_lldp.interface.is.nni': 'LivenessPairEvent',
      'kytos/of_lldp.liveness.enabled': 'LivenessEvent',
      'kytos/of_lldp.liveness.disabled': 'LivenessEvent',
    },
  },
  {
    message: 'maintenanceInterruption',
    title: "maintenance's interruptions (no `kytos/` prefix)",
    events: {
      'topology.interruption.start': 'InterruptionEvent',
      'topology.interruption.end': 'InterruptionEvent',
    },
  },
  {
    message: 'coreSwitch',
    title: "the core's and of_core's switch and connection events",
    events: {
      'kytos/core.switch.new': 'SwitchEvent',
      'kytos/core.openflow.connection.new': 'ConnectionEvent',
      'kytos/of_core.handshake.completed': 'SwitchEvent',
      'kytos/of_core.flow_stats.received': 'FlowStatsEvent',
      'kytos/of_core.port_stats': 'PortStatsEvent',
    },
  },
  {
    message: 'corePort',
    title: "the core's and of_core's port and interface events",
    events: {
      'kytos/core.interface_tags': 'InterfaceEvent',
      'kytos/of_core.switch.interface.created': 'InterfaceEvent',
      'kytos/of_core.switch.interface.modified': 'InterfaceEvent',
      'kytos/of_core.switch.interface.deleted': 'InterfaceEvent',
      'kytos/of_core.switch.interface.link_up': 'InterfaceEvent',
      'kytos/of_core.switch.interface.link_down': 'InterfaceEvent',
      'kytos/of_core.switch.interfaces.created': 'InterfacesEvent',
      'kytos/of_core.switch.port.created': 'PortEvent',
    },
  },
  {
    message: 'nappLoaded',
    title: 'a NApp finished loading',
    events: {
      'kytos/of_core.loaded': 'LoadedEvent',
      'kytos/flow_manager.loaded': 'LoadedEvent',
      'kytos/topology.loaded': 'LoadedEvent',
      'kytos/of_lldp.loaded': 'LoadedEvent',
      'kytos/pathfinder.loaded': 'LoadedEvent',
      'kytos/maintenance.loaded': 'LoadedEvent',
      'kytos/mef_eline.loaded': 'LoadedEvent',
    },
  },
];

/** The content schema of each event name the families list. */
export const CONTENT_SCHEMA_OF: ReadonlyMap<string, ContentSchemaName> = new Map(
  EVENT_FAMILIES.flatMap(({ events }) => Object.entries(events)),
);
