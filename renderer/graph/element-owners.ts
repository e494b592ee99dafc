/**
 * Every graph element has one owner: a model record (a host with its devices, a pod with its
 * containers and veth, a Service, an Ingress, an endpoint) or a canvas-only box that counts or
 * joins others (a group box, the Internet, the tunnel chain). This module names the owner of an
 * element and builds an owner; what an aggregate owner needs to know about the rest of the
 * picture it asks `OwnerFacts`, which the element index answers from its indexes and the
 * one-element lookup by looking through the topology.
 */
import { internetId, type Host, type Id, type PodRecord, type Topology } from '../../shared/model/types.ts';
import { collectionHolding } from '../../shared/topology/diff.ts';
import {
  endpointElements,
  hostElements,
  ingressElements,
  internetElements,
  namespaceGroupElements,
  podElements,
  serviceElements,
  serviceGroupElements,
  tunnelElements,
  unscheduledElements,
  hostOrder,
  type Built,
  type Scene,
} from './element-builders.ts';
import { tunnelsOwner, unscheduledGroupId } from './element-types.ts';

export interface OwnerFacts {
  /** The shown pods on a shown host. */
  podsOn(host: Host): readonly PodRecord[];
  /** The shown pods drawn in no host. */
  unscheduledPods(): readonly PodRecord[];
  /** How many of a namespace's pods are shown, and whether any of its Services is. */
  namespaceContents(namespace: string): { pods: number; hasServices: boolean };
  /** Whether anything shown is reached from the Internet: the Internet is drawn only with an edge. */
  hasInternet(): boolean;
}

const nothing = (): Built => ({ nodes: [], edges: [] });

/** The owner whose build holds element `id`, or null for an id no owner makes. */
export function ownerOfElement(topology: Topology, id: string): string | null {
  if (id === internetId || id === unscheduledGroupId || id.startsWith('group:')) return id;
  if (id.startsWith('tunnel:')) return tunnelsOwner;
  if (id.startsWith('routes:')) return `node:${id.slice('routes:'.length)}`;
  if (id.startsWith('backend:')) return id.slice('backend:'.length, id.indexOf('>'));
  if (id.startsWith('expose:')) return id.slice('expose:'.length);
  switch (collectionHolding(topology, id)) {
    case 'devices':
      return topology.devices[id]!.host;
    case 'containers':
      return topology.containers[id]!.pod;
    case 'veths':
      return topology.veths[id]!.pod;
    case 'hosts':
    case 'pods':
    case 'services':
    case 'endpoints':
    case 'ingresses':
      return id;
    default:
      return null;
  }
}

/** Builds one owner's elements; an owner the topology no longer holds builds none. */
export function buildOwner(scene: Scene, owner: string, facts: OwnerFacts): Built {
  const { topology, view } = scene;
  const byNode = scene.grouping === 'node';
  if (owner === tunnelsOwner) return tunnelElements(scene, Object.values(topology.hosts).filter(view.host).sort(hostOrder));
  if (owner === unscheduledGroupId) return byNode ? unscheduledElements(facts.unscheduledPods()) : nothing();
  if (owner === internetId) return internetElements(scene, facts.hasInternet());
  if (owner.startsWith('group:services/')) {
    const namespace = owner.slice('group:services/'.length);
    return byNode && facts.namespaceContents(namespace).hasServices ? serviceGroupElements(scene, namespace) : nothing();
  }
  if (owner.startsWith('group:ns/')) {
    const namespace = owner.slice('group:ns/'.length);
    const { pods, hasServices } = facts.namespaceContents(namespace);
    return !byNode && (pods > 0 || hasServices) ? namespaceGroupElements(scene, namespace, pods) : nothing();
  }
  const id: Id = owner;
  switch (collectionHolding(topology, id)) {
    case 'hosts': {
      const host = topology.hosts[id]!;
      return hostElements(scene, host, byNode && view.host(host) ? facts.podsOn(host) : []);
    }
    case 'pods':
      return podElements(scene, topology.pods[id]!);
    case 'services':
      return serviceElements(scene, topology.services[id]!);
    case 'ingresses':
      return ingressElements(scene, topology.ingresses[id]!);
    case 'endpoints':
      return endpointElements(scene, topology.endpoints[id]!);
    default:
      return nothing();
  }
}
