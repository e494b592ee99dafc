import type { ClusterInfo } from './cluster.ts';
import type { Id, ModelElement } from './types.ts';

/**
 * A change to the model, as it crosses from main to renderer (design §6). Deltas are stamped
 * with a sequence number; a renderer that sees a gap asks for the full state again.
 */
export interface TopologyDelta {
  seq: number;
  cluster?: ClusterInfo;
  added: ModelElement[];
  updated: ModelElement[];
  removed: Id[];
}
