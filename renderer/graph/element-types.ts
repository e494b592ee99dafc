/**
 * The graph's vocabulary: what kinds of nodes and edges the canvas draws, the data each carries,
 * and the ids of the boxes that exist only on the canvas. The model (shared/model) becomes these
 * elements in elements.ts; layout, level of detail and the adapter read them.
 *
 * Canvas-only elements (group boxes, routes nodes, tunnel and exposure edges) carry
 * `model: null` or the model element they stand for, so the details panel can explain them.
 */
import type { Host, Id } from '../../shared/model/types.ts';

export type GraphNodeKind =
  | 'host'
  | 'device'
  | 'routes'
  | 'pod'
  | 'container'
  | 'unscheduled'
  | 'service-group'
  /** By-namespace grouping: a namespace's pods and Services. */
  | 'namespace'
  | 'service'
  | 'ingress'
  | 'internet'
  /** A folded part of the graph drawn as one box (detail.ts). */
  | 'fold';

export type GraphEdgeKind = 'veth' | 'tunnel' | 'endpoint' | 'backend' | 'exposure';

/** Where a node sits inside its host box; the layout arranges a host by these slots. */
export type HostSlot = 'uplink' | 'hostnet' | 'pod' | 'bridge' | 'tunnel' | 'service';

/**
 * The two pictures a user switches between: by node (each node a box with its devices and pods,
 * the veths joining them — where the datapath lives) and by namespace (each namespace a box with
 * its pods and Services; nodes drawn with their devices only, each pod labelled with its node).
 */
export type Grouping = 'node' | 'namespace';

export interface GraphNodeData {
  id: string;
  kind: GraphNodeKind;
  /** Lines separated by `\n`, already truncated to fit the node. */
  label: string;
  /** The model element this node draws; null for boxes that exist only on the canvas. */
  model: Id | null;
  parent?: string;
  /** Namespace colour of namespaced elements. */
  color?: string;
  /** Size of leaf nodes; compound nodes are sized by their children. */
  width?: number;
  height?: number;
  slot?: HostSlot;
  /** Folds: a label font size that fills the box, so that it reads at the zoom it is drawn at. */
  fontSize?: number;
  /** Folds: the host, Unscheduled box or Service group whose contents this box stands for. */
  folds?: string;
  /** Pods: their namespace, by which a folded node counts its pods. */
  namespace?: string;
  /** Folds: the pods they hold by state, drawn as a strip of coloured segments (fold-health.ts). */
  health?: PodHealth;
}

/** Pods by state: Pending (not started: unscheduled, pulling images) is told apart from not ready. */
export interface PodHealth {
  ready: number;
  notReady: number;
  pending: number;
}

export interface GraphEdgeData {
  id: string;
  kind: GraphEdgeKind;
  source: string;
  target: string;
  label: string;
  model: Id | null;
  /** Tunnel edges: how many hosts apart the two ends are drawn (1 = neighbours). */
  span?: number;
}

export type GraphElement =
  | { group: 'nodes'; data: GraphNodeData; classes: string[] }
  | { group: 'edges'; data: GraphEdgeData; classes: string[] };

export const unscheduledGroupId = 'group:unscheduled';
export const serviceGroupId = (namespace: string): string => `group:services/${namespace}`;
export const namespaceGroupId = (namespace: string): string => `group:ns/${namespace}`;
/** The owner of the tunnel chain (element-builders.ts), which no model record owns. */
export const tunnelsOwner = 'tunnels';
export const routesNodeId = (host: Host): string => `routes:${host.name}`;

