/**
 * The CNI policy tests' cluster (test/fixtures/cni-policies/cluster.yaml) with policies added
 * from YAML, and one flow's verdict through every layer.
 */
import { readFileSync } from 'node:fs';
import { parseDocuments } from '../../shared/kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../shared/kube/manifests.ts';
import type { Topology } from '../../shared/model/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { evaluatePolicy } from '../../shared/policy/evaluate.ts';
import type { PolicyEndpoint, PolicyVerdict, Protocol } from '../../shared/policy/types.ts';

const clusterText = readFileSync(new URL('../fixtures/cni-policies/cluster.yaml', import.meta.url), 'utf8');
const objectsOf = (text: string, source: string) => objectsFromDocuments(parseDocuments(text, source), source).objects;
const cluster = objectsOf(clusterText, 'cluster.yaml');

export function topologyWith(yaml: string): Topology {
  return derive(structuredClone(mergeObjects([cluster, objectsOf(yaml, 'case.yaml')])));
}

/** `shop/web` (a pod) or an address. */
function endpoint(topology: Topology, name: string): PolicyEndpoint {
  if (!name.includes('/')) return { pod: null, ip: name };
  const [namespace, pod] = name.split('/');
  const found = Object.values(topology.pods).find((p) => p.namespace === namespace && p.name === pod);
  if (!found) throw new Error(`no pod ${name}`);
  return { pod: found, ip: found.ips[0]! };
}

export function verdictOf(yaml: string, from: string, to: string, port: number, protocol: Protocol = 'TCP'): PolicyVerdict {
  const topology = topologyWith(yaml);
  return evaluatePolicy(topology, { from: endpoint(topology, from), to: endpoint(topology, to), port, protocol });
}
