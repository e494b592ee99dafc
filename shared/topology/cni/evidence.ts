/**
 * Reading the API objects that reveal a datapath — DaemonSets, their images and env, ConfigMaps,
 * Node annotations — and naming each as an evidence line names it.
 */
import type { ClusterObjects, ConfigMap, DaemonSet, KubeNode } from '../../kube/objects.ts';

export function images(ds: DaemonSet): string[] {
  return ds.spec.template.spec.containers.map((c) => c.image ?? '');
}

export function findDaemonSet(objects: ClusterObjects, test: (ds: DaemonSet) => boolean): DaemonSet | undefined {
  return objects.daemonSets.find(test);
}

export function findConfigMap(objects: ClusterObjects, name: string, namespaces: string[]): ConfigMap | undefined {
  return objects.configMaps.find((cm) => cm.metadata.name === name && namespaces.includes(cm.metadata.namespace ?? ''));
}

/** `DaemonSet <ns>/<name> (image <first image>)`: the first evidence line of a detection. */
export function dsNameAndImage(ds: DaemonSet): string {
  const image = images(ds)[0];
  return `DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}${image ? ` (image ${image})` : ''}`;
}

/** Shorter, for evidence lines that follow one naming the image. */
export function dsName(ds: DaemonSet): string {
  return `DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}`;
}

export function cmName(cm: ConfigMap): string {
  return `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}`;
}

/** A literal env value of the DaemonSet's containers (only allowlisted ones survive trimming). */
export function envOf(ds: DaemonSet, name: string): string | undefined {
  for (const container of ds.spec.template.spec.containers) {
    const found = container.env?.find((e) => e.name === name);
    if (found) return found.value;
  }
  return undefined;
}

export function annotationOnAnyNode(nodes: KubeNode[], keys: string[]): { node: string; key: string; value: string } | null {
  for (const node of nodes) {
    for (const key of keys) {
      const value = node.metadata.annotations?.[key];
      if (value !== undefined) return { node: node.metadata.name, key, value };
    }
  }
  return null;
}
