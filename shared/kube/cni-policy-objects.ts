/**
 * The CNI plugins' own policy kinds, trimmed like every other kind (trim/cni-policy.ts), with
 * the APIs' own field names:
 * - Calico (projectcalico.org/v3, projectcalico/calico api/pkg/apis/projectcalico/v3 at
 *   87c15906): `NetworkPolicy` (namespaced), `GlobalNetworkPolicy`, `Tier`. Selectors are
 *   strings in Calico's selector language (shared/policy/cni/calico-selector.ts).
 * - Cilium (cilium.io/v2, cilium/cilium pkg/policy/api): `CiliumNetworkPolicy` (namespaced)
 *   and `CiliumClusterwideNetworkPolicy`, each a rule in `spec` and/or a list in `specs`.
 * How they are evaluated is shared/policy/cni/.
 */
import type { LabelSelector, ObjectMeta } from './objects.ts';

/** Calico: one side of a rule (`source` or `destination`); every field set must match. */
export interface CalicoEntityRule {
  nets?: string[];
  notNets?: string[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  /** Numbers, `"a:b"` ranges, or named ports. */
  ports?: (number | string)[];
  notPorts?: (number | string)[];
  serviceAccounts?: { names?: string[]; selector?: string };
  services?: { name: string; namespace?: string };
}

export interface CalicoRule {
  /** Allow, Deny, Pass or Log; anything else is kept to say so. */
  action: string;
  /** TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1–255. */
  protocol?: string | number;
  notProtocol?: string | number;
  ipVersion?: number;
  source?: CalicoEntityRule;
  destination?: CalicoEntityRule;
  /** Whether the rule has an `http` match (methods, paths): Podpath does not evaluate it. */
  hasHttp?: boolean;
  /** Whether the rule has `icmp`/`notICMP` fields. */
  hasIcmp?: boolean;
}

export interface CalicoPolicySpec {
  /** Absent: the `default` tier. */
  tier?: string;
  /** Lower first within the tier; absent is last ("infinite"). */
  order?: number;
  /** Absent or empty: `all()`. */
  selector?: string;
  /** GlobalNetworkPolicy only: the namespaces of the pods it applies to. */
  namespaceSelector?: string;
  serviceAccountSelector?: string;
  types?: string[];
  ingress?: CalicoRule[];
  egress?: CalicoRule[];
  /** GlobalNetworkPolicy only: such a policy applies to host endpoints, not pods. */
  doNotTrack?: boolean;
  preDNAT?: boolean;
}

export interface CalicoNetworkPolicy {
  metadata: ObjectMeta;
  spec: CalicoPolicySpec;
}

export interface CalicoGlobalNetworkPolicy {
  metadata: ObjectMeta;
  spec: CalicoPolicySpec;
}

export interface CalicoTier {
  metadata: ObjectMeta;
  spec: { order?: number; defaultAction?: string };
}

/** Cilium: a port as written (`"80"`, `"http"`, `"0"` for all) with an optional range end. */
export interface CiliumPortProtocol {
  port?: string;
  endPort?: number;
  /** TCP, UDP, SCTP, ICMP, ICMPv6, ANY (the default). */
  protocol?: string;
}

export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  /** The kinds of L7 rules present (`http`, `dns`, `kafka`, `l7proto`): Podpath does not
   * evaluate them; each request is decided by the proxy. */
  l7?: string[];
}

export interface CiliumCIDRRule {
  cidr?: string;
  except?: string[];
  /** A CiliumCIDRGroup by name: its CIDRs are not read. */
  cidrGroupRef?: string;
}

/** An ingress or egress rule; `from*` fields on ingress, `to*` on egress. */
export interface CiliumPeerRule {
  fromEndpoints?: LabelSelector[];
  toEndpoints?: LabelSelector[];
  fromEntities?: string[];
  toEntities?: string[];
  fromCIDR?: string[];
  toCIDR?: string[];
  fromCIDRSet?: CiliumCIDRRule[];
  toCIDRSet?: CiliumCIDRRule[];
  fromNodes?: LabelSelector[];
  toNodes?: LabelSelector[];
  /** Egress only: DNS names (`matchName`, `matchPattern`), learnt by the DNS proxy. */
  toFQDNs?: string[];
  /** Egress only: Services by name or selector, kept as written for messages. */
  toServices?: string[];
  /** Deprecated (removed in 1.19): extra label requirements on the peer. */
  fromRequires?: LabelSelector[];
  toRequires?: LabelSelector[];
  toPorts?: CiliumPortRule[];
  /** Whether the rule has `icmps`: Podpath's flows are TCP, UDP or SCTP, which it never matches. */
  hasIcmps?: boolean;
}

export interface CiliumRule {
  /** Absent with `nodeSelector` set: a host policy, about nodes, not pods. */
  endpointSelector?: LabelSelector;
  nodeSelector?: LabelSelector;
  ingress?: CiliumPeerRule[];
  egress?: CiliumPeerRule[];
  ingressDeny?: CiliumPeerRule[];
  egressDeny?: CiliumPeerRule[];
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
}

export interface CiliumNetworkPolicy {
  metadata: ObjectMeta;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}

export interface CiliumClusterwideNetworkPolicy {
  metadata: ObjectMeta;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}
