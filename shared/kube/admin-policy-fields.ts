/**
 * Admin policy rules checked against the fields their API version has (issue 15): a v1alpha1
 * `ports` in a v1alpha2 ClusterNetworkPolicy rule (there `protocols`) would otherwise be trimmed
 * away, and the rule match every port. kubectl apply refuses such a manifest; so do the what-if
 * box, `--with-policy` and `podpath snapshot --from-files`.
 */

/**
 * The fields of the admin policies' rules, by kind, down to their ports (apis/v1alpha1
 * adminnetworkpolicy_types.go and baselineadminnetworkpolicy_types.go at v0.1.7, apis/v1alpha2
 * clusternetworkpolicy_types.go at 0eec1b0e of kubernetes-sigs/network-policy-api). `null`:
 * read as a whole elsewhere.
 */
interface Shape {
  [field: string]: Shape | null;
}
const clusterPort: Shape = { destinationPort: { number: null, range: null } };
const clusterProtocols: Shape = { tcp: clusterPort, udp: clusterPort, sctp: clusterPort, destinationNamedPort: null };
const adminPorts: Shape = { portNumber: { protocol: null, port: null }, portRange: { protocol: null, start: null, end: null }, namedPort: null };
const ruleShapes: Record<string, { version: string; ingress: Shape; egress: Shape }> = {
  ClusterNetworkPolicy: { version: 'v1alpha2', ingress: { name: null, action: null, from: null, protocols: clusterProtocols }, egress: { name: null, action: null, to: null, protocols: clusterProtocols } },
  AdminNetworkPolicy: { version: 'v1alpha1', ingress: { name: null, action: null, from: null, ports: adminPorts }, egress: { name: null, action: null, to: null, ports: adminPorts } },
  BaselineAdminNetworkPolicy: { version: 'v1alpha1', ingress: { name: null, action: null, from: null, ports: adminPorts }, egress: { name: null, action: null, to: null, ports: adminPorts } },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `path` of each field of `value` (or of each item, for a list) that `shape` does not have. */
function unknownFields(value: unknown, shape: Shape, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, shape, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([field, inner]) => {
    if (!(field in shape)) return [`${path}.${field}`];
    const innerShape = shape[field];
    return innerShape ? unknownFields(inner, innerShape, `${path}.${field}`) : [];
  });
}

/** The admin policies in `docs` (Lists opened) whose rules have a field their version does not. */
export function unknownRuleFields(docs: unknown[]): { kind: string; name: string; problem: string }[] {
  const out: { kind: string; name: string; problem: string }[] = [];
  const pending = [...docs].reverse();
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const doc = pending.pop();
    if (!isObject(doc) || seen.has(doc)) continue;
    seen.add(doc);
    if (Array.isArray(doc.items)) pending.push(...[...doc.items].reverse());
    const { kind, apiVersion, metadata, spec } = doc;
    const shapes = typeof kind === 'string' && Object.hasOwn(ruleShapes, kind) ? ruleShapes[kind] : undefined;
    const name = isObject(metadata) && typeof metadata.name === 'string' ? metadata.name : null;
    if (!shapes || !name || apiVersion !== `policy.networking.k8s.io/${shapes.version}` || !isObject(spec)) continue;
    const fields = (['ingress', 'egress'] as const).flatMap((direction) => unknownFields(spec[direction], shapes[direction], `spec.${direction}`));
    if (fields.length === 0) continue;
    const hint = shapes.version === 'v1alpha2' && fields.some((f) => /\]\.ports$/.test(f)) ? '; v1alpha2 rules give their ports as protocols' : '';
    out.push({ kind: kind as string, name, problem: `${kind as string} ${name}: ${fields.join(', ')}: no such field in ${apiVersion}${hint} (kubectl apply refuses it; read without it, the rule could match more than meant, such as every port)` });
  }
  return out;
}
