/** The doctor's checks of Services, their endpoints and traffic policies, Ingresses, cluster DNS and addresses (issue 17). */
import { checkDuplicateIPs, checkHostPorts, checkPodRanges } from './addresses.ts';
import { checkClusterDns } from './cluster-dns.ts';
import { serviceFacts, type ServiceCheck } from './facts.ts';
import { checkIngresses } from './ingress.ts';
import { checkHandMadeEndpoints, checkTargetPorts } from './ports.ts';
import { checkSelectors } from './selectors.ts';
import { checkTrafficPolicies } from './traffic-policy.ts';
import type { Check } from './types.ts';

const checks: ServiceCheck[] = [
  checkSelectors,
  checkTargetPorts,
  checkHandMadeEndpoints,
  checkTrafficPolicies,
  checkIngresses,
  checkClusterDns,
  checkPodRanges,
  checkDuplicateIPs,
  checkHostPorts,
];

/** One check to the registry, so that they share one index of the topology, built afresh per call. */
export const serviceChecks: Check[] = [
  (topology) => {
    const facts = serviceFacts(topology);
    return checks.flatMap((check) => check(topology, facts));
  },
];
