import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleObjects } from '../../renderer/graph/testing/sample-topology.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { generateTroubledCluster } from '../../test/fixtures/troubled.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { diagnose } from './doctor.ts';
import { serviceChecks } from './services.ts';
import type { Problem } from './types.ts';

// The bundled demo has problems planted on purpose (scripts/demo/): payments/fraud-check selects
// pods that were never deployed, payments/ledger's pods fail their readiness probe. Everything
// else is healthy — among it a LoadBalancer with externalTrafficPolicy Local whose pods run on
// both workers, the one node without one (the control plane) being excluded from load balancers.

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

function demoWith(change: (objects: ClusterObjects) => void) {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, snapshot.source);
}

/** These checks' problems: NetworkPolicy's are another file's to pin. */
const ours = (problems: Problem[]): Problem[] => problems.filter((p) => !p.kind.startsWith('policy-'));
const brief = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.kind} ${p.subject}`);

describe('the doctor on the demo', () => {
  const demo = derive(snapshot.objects, snapshot.source);

  it('reports exactly the planted problems, errors first', () => {
    expect(brief(ours(diagnose(demo)))).toEqual(['error service-selects-nothing service/payments/fraud-check', 'warning service-none-ready service/payments/ledger']);
  });

  it('and they are real: no pod is labelled app=fraud-check, and every app=ledger pod is not ready', () => {
    const pods = snapshot.objects.pods;
    expect(pods.filter((p) => p.metadata.labels?.app === 'fraud-check')).toEqual([]);
    const ledger = pods.filter((p) => p.metadata.namespace === 'payments' && p.metadata.labels?.app === 'ledger');
    expect(ledger.length).toBe(2);
    expect(ledger.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'))).toBe(true);
    const [fraud, ledgerProblem] = ours(diagnose(demo));
    expect(fraud?.message).toBe('selector app=fraud-check matches no pod in payments, so connections to it are refused');
    expect(ledgerProblem?.related.map((id) => demo.pods[id]?.name)).toEqual(ledger.map((p) => p.metadata.name));
  });

  it('the control plane, once put behind the load balancer, is the node the ingress controller\'s Local policy leaves out', () => {
    const topology = demoWith((objects) => {
      for (const node of objects.nodes) delete node.metadata.labels?.['node.kubernetes.io/exclude-from-external-load-balancers'];
    });
    const local = ours(diagnose(topology)).filter((p) => p.kind === 'traffic-policy-local-no-endpoint');
    expect(local).toMatchObject([{ severity: 'info', subject: 'service/ingress-nginx/ingress-nginx-controller', related: ['node:demo-control-plane'] }]);
  });

  it('sends the shop\'s Ingress to a Service that is down when its pods are relabelled', () => {
    const topology = demoWith((objects) => {
      for (const pod of objects.pods) if (pod.metadata.labels?.app === 'backend') pod.metadata.labels.app = 'backend-v2';
      // As the EndpointSlice controller follows: the Service's slice empties.
      for (const slice of objects.endpointSlices) if (slice.metadata.labels?.['kubernetes.io/service-name'] === 'backend') slice.endpoints = [];
    });
    expect(brief(ours(diagnose(topology)))).toEqual([
      'error ingress-backend-no-endpoints ingress/shop/shop',
      'error service-selects-nothing service/payments/fraud-check',
      'error service-selects-nothing service/shop/backend',
      'warning service-none-ready service/payments/ledger',
    ]);
  });
});

describe('no false alarms on healthy clusters', () => {
  it('the sample cluster, on Flannel and on Calico (a terminating endpoint, a not-ready one beside a ready one, a pending pod)', () => {
    expect(serviceChecks.flatMap((check) => check(derive(sampleObjects())))).toEqual([]);
    // Calico on host-local IPAM: the node podCIDRs are its ranges, so pod-ip-outside-pod-cidr checks them too.
    expect(serviceChecks.flatMap((check) => check(derive(sampleObjects({ routed: true }))))).toEqual([]);
  });

  it('a generated cluster of 1,000 pods, and the same with some pods not ready or pending', () => {
    expect(serviceChecks.flatMap((check) => check(derive(generateCluster(1000))))).toEqual([]);
    expect(serviceChecks.flatMap((check) => check(derive(generateTroubledCluster(1000).objects)))).toEqual([]);
  });
});
