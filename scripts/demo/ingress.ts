/** The demo's ingress: ingress-nginx's IngressClass and the shop's Ingress (/ and /api). */
import type { Ingress, IngressClass } from '../../shared/kube/objects.ts';
import { loadBalancerIP } from './facts.ts';
import { meta } from './identity.ts';
import { ingressNginxLabels } from './workloads.ts';

export function ingressClasses(): IngressClass[] {
  return [
    {
      metadata: meta('IngressClass', undefined, 'nginx', 21, { labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' } }),
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
  ];
}

export function ingresses(): Ingress[] {
  const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
  return [
    {
      metadata: meta('Ingress', 'shop', 'shop', 67, { labels: { app: 'shop' } }),
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'] }],
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backend('frontend') },
                { path: '/api', pathType: 'Prefix', backend: backend('backend') },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
    },
  ];
}
