/**
 * Policy manifests the layering tests share (the policy evaluator's, the CLI's and Chromium's),
 * on the cluster of test/fixtures/cni-policies/cluster.yaml: dev/client, shop/web, shop/db and
 * their namespaces' `env` labels.
 */

/** A Calico GlobalNetworkPolicy, its spec's lines indented by two, ended by `---`. */
export const calicoGnp = (name: string, spec: string): string => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec}---\n`;

/** Calico tiers `security` (order 100) and `platform` (order 200). */
export const calicoTiers = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 200}
---
`;

/**
 * In tier security: dev to db denied (order 10), dev to web passed to the next tier (order 20);
 * in tier platform: dev/client to web allowed on 8080/TCP (order 10). Needs `calicoTiers`.
 */
export const calicoTiered =
  calicoGnp('security.deny-dev-db', '  tier: security\n  order: 10\n  selector: app == "db"\n  ingress:\n  - action: Deny\n    source: {namespaceSelector: env == "dev"}\n') +
  calicoGnp('security.pass-web', '  tier: security\n  order: 20\n  selector: app == "web"\n  ingress:\n  - action: Pass\n    source: {namespaceSelector: env == "dev"}\n') +
  calicoGnp('platform.web', '  tier: platform\n  order: 10\n  selector: app == "web"\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {selector: app == "client", namespaceSelector: env == "dev"}\n    destination: {ports: [8080]}\n');

/**
 * ClusterNetworkPolicy protect-shop in the Admin tier at `priority`, subject the prod
 * namespaces: dev/client to db on 5432/TCP denied, then `moreRules` (YAML list items).
 */
export const protectShop = (priority: number, moreRules = ''): string => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: protect-shop}
spec:
  tier: Admin
  priority: ${priority}
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - name: deny-dev-to-db
    action: Deny
    from: [{pods: {namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: client}}}}]
    protocols: [{tcp: {destinationPort: {number: 5432}}}]
${moreRules}`;

/** BaselineAdminNetworkPolicy default: ingress into dev from prod denied. */
export const baselineDenyProd = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {env: dev}}}
  ingress:
  - name: deny-prod
    action: Deny
    from: [{namespaces: {matchLabels: {env: prod}}}]
`;
