/** The shop's NetworkPolicies: default deny, then exactly the paths the three tiers need. */
import type { NetworkPolicy } from '../../shared/kube/objects.ts';
import { meta } from './identity.ts';

export function networkPolicies(): NetworkPolicy[] {
  const policy = (name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: meta('NetworkPolicy', 'shop', name, 69), spec });
  const fromIngressNginx = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
  const app = (name: string) => ({ podSelector: { matchLabels: { app: name } } });
  return [
    policy('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    policy('frontend-allow', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [fromIngressNginx], ports: [{ protocol: 'TCP', port: 8080 }] }],
      egress: [{ to: [app('backend')], ports: [{ protocol: 'TCP', port: 'http' }] }],
    }),
    // The Ingress sends /api straight to the backend, so the controller may reach it too.
    policy('backend-allow', {
      podSelector: { matchLabels: { app: 'backend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [app('frontend'), fromIngressNginx], ports: [{ protocol: 'TCP', port: 'http' }] }],
      egress: [{ to: [app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    // The replicas stream WAL from each other, so db also talks to db.
    policy('db-allow', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [app('backend'), app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
      egress: [{ to: [app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
  ];
}
