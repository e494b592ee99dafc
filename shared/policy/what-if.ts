/**
 * What-if NetworkPolicies (issue 6): the policies a user hands over — a `--with-policy` file, a
 * pasted manifest — read from parsed documents as the model holds them, with everything else in
 * the documents named so the caller can say it was left out. One reading for the CLI and the app.
 */
import { objectsFromDocuments } from '../kube/manifests.ts';
import type { PolicyRecord } from '../model/types.ts';
import { policyRecordFrom } from './evaluate.ts';

export interface WhatIfPolicies {
  policies: PolicyRecord[];
  /** Objects that are not NetworkPolicies, e.g. `{ kind: 'Deployment', name: 'shop/web' }`. */
  ignored: { kind: string; name: string | null }[];
  /** Why a NetworkPolicy in the documents cannot be used (a required field missing, no name…). */
  unusable: string[];
}

/** `namespace`: where a policy without one goes, as `kubectl apply -n` would put it. */
export function whatIfPolicies(docs: unknown[], source: string, namespace = 'default'): WhatIfPolicies {
  const { objects, skipped, leftOut } = objectsFromDocuments(docs, source, { defaultNamespace: namespace, only: 'networkPolicies' });
  const ignored: WhatIfPolicies['ignored'] = [...leftOut];
  const unusable: string[] = [];
  for (const s of skipped) {
    if (s.kind === 'NetworkPolicy') unusable.push(s.reason);
    else ignored.push({ kind: s.kind, name: null });
  }
  return { policies: objects.networkPolicies.map((p) => policyRecordFrom(p)), ignored, unusable };
}
