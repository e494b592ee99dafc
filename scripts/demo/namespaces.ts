/** The demo's namespaces: kubeadm's own, the add-ons' and the apps', with their labels and ages. */
import type { Namespace } from '../../shared/kube/objects.ts';
import { meta } from './identity.ts';

export const namespaceLabels: Record<string, Record<string, string>> = {
  default: {},
  'kube-node-lease': {},
  'kube-public': {},
  'kube-system': {},
  'kube-flannel': { 'k8s-app': 'flannel', 'pod-security.kubernetes.io/enforce': 'privileged' },
  'ingress-nginx': { 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' },
  monitoring: { 'app.kubernetes.io/part-of': 'monitoring' },
  shop: { team: 'shop' },
  payments: { team: 'payments' },
};

const namespaceCreated: Record<string, number> = {
  default: 0,
  'kube-node-lease': 0,
  'kube-public': 0,
  'kube-system': 0,
  'kube-flannel': 4,
  'ingress-nginx': 20,
  monitoring: 30,
  shop: 60,
  payments: 75,
};

export function makeNamespace(name: string): Namespace {
  return {
    metadata: meta('Namespace', undefined, name, namespaceCreated[name] ?? 0, {
      labels: { ...namespaceLabels[name], 'kubernetes.io/metadata.name': name },
    }),
    status: { phase: 'Active' },
  };
}
