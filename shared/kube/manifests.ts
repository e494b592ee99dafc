/**
 * Kubernetes objects from documents a user hands us — `kubectl get -o json` output, manifests
 * they wrote — rather than from an API server. Parsing the files is the caller's business
 * (shared/kube/documents.ts, for electron/backend/kube/from-files.ts); this takes the parsed documents.
 */
import { unknownRuleFields } from './admin-policy-fields.ts';
import { emptyObjects, type ClusterObjects, type ObjectKind } from './objects.ts';
import { kindOf, trimObject } from './trim.ts';

export interface SkippedObject {
  /** The file (or other source) the object came from. */
  source: string;
  /** The object's API kind, e.g. `Deployment`; `(none)` when it had none. */
  kind: string;
  reason: string;
}

export interface DocumentObjects {
  objects: ClusterObjects;
  skipped: SkippedObject[];
  /** With `only`: the objects of other kinds, left out unread (`name` is `namespace/name` as written). */
  leftOut: { kind: string; name: string | null }[];
}

export interface DocumentOptions {
  /** Where a namespaced object without a namespace goes (`kubectl apply -n`); `default` if unset. */
  defaultNamespace?: string;
  /** Read only objects of this kind; the others are listed in `leftOut`. */
  only?: ObjectKind;
}

/** Kinds whose objects live in no namespace; every other kind Podpath reads is namespaced. */
const adminPolicyKinds: ReadonlySet<ObjectKind> = new Set<ObjectKind>(['adminNetworkPolicies', 'baselineAdminNetworkPolicies', 'clusterNetworkPolicies']);
const clusterScoped: ReadonlySet<ObjectKind> = new Set<ObjectKind>(['nodes', 'namespaces', 'ingressClasses', 'adminNetworkPolicies', 'baselineAdminNetworkPolicies', 'clusterNetworkPolicies', 'calicoGlobalNetworkPolicies', 'calicoTiers', 'ciliumClusterwideNetworkPolicies']);

/**
 * The objects in `docs`, trimmed, with what was left out and why.
 *
 * - A document may be one object, a `List` (items carry their own kind), or a typed list such
 *   as `PodList`, whose items may omit apiVersion and kind (the API's own list responses do):
 *   they inherit `Pod` and the list's apiVersion.
 * - Kinds Podpath does not read (a Deployment), Secrets and ConfigMaps off the allowlist are
 *   skipped with a reason. Empty documents (`---` at the end of a file) are ignored.
 * - A namespaced object without a namespace is in `default`, as `kubectl apply` would put it.
 * - An object without a uid (a hand-written manifest) gets one derived from its kind,
 *   namespace and name, so its model ids are the same every time the file is read.
 * - Objects are de-duplicated by uid: a later one replaces an earlier one in place.
 */
export function objectsFromDocuments(docs: unknown[], source: string, options: DocumentOptions = {}): DocumentObjects {
  const found = collector();
  const skipped: SkippedObject[] = [];
  const leftOut: DocumentObjects['leftOut'] = [];
  const skip = (kind: string, reason: string) => skipped.push({ source, kind, reason });

  const read = (doc: Record<string, unknown>, apiVersion: string | undefined, kind: string | undefined): void => {
    const metadata = isRecord(doc.metadata) ? doc.metadata : {};
    const name = str(metadata.name);
    const named = name ? `${str(metadata.namespace) ? `${str(metadata.namespace)}/` : ''}${name}` : null;
    const what = named ? `${named}: ` : '';
    if (!kind || !apiVersion) {
      skip(kind ?? '(none)', `${what}no ${kind ? 'apiVersion' : 'kind'}, so not a Kubernetes object`);
      return;
    }
    if (options.only && kindOf(apiVersion, kind) !== options.only) {
      leftOut.push({ kind, name: named });
      return;
    }
    if (kind === 'Secret') {
      skip(kind, `${what}Secrets are never read`);
      return;
    }
    const objectKind = kindOf(apiVersion, kind);
    if (!objectKind) {
      skip(kind, `${what}${apiVersion} ${kind} is not a kind Podpath reads`);
      return;
    }
    if (!name) {
      skip(kind, 'no metadata.name');
      return;
    }
    // A rule field its API version does not have would be trimmed away and the rule widened.
    const [misspelt] = adminPolicyKinds.has(objectKind) ? unknownRuleFields([doc]) : [];
    if (misspelt) {
      skip(kind, misspelt.problem);
      return;
    }
    const namespace = clusterScoped.has(objectKind) ? undefined : str(metadata.namespace) || (options.defaultNamespace ?? 'default');
    const uid = str(metadata.uid) || syntheticUid(objectKind, namespace, name);
    const trimmed = trimObject(objectKind, { ...doc, metadata: { ...metadata, namespace, uid } });
    if (!trimmed) {
      skip(
        kind,
        objectKind === 'configMaps'
          ? `${what}only kube-proxy's and the CNI's ConfigMaps are read`
          : `${what}not a valid ${kind} (a required field is missing or of the wrong type)`,
      );
      return;
    }
    found.add(objectKind, trimmed);
  };

  // Lists nest (a List of Lists…) as deep as a file cares to: an explicit stack, not recursion,
  // holding what is still to visit in reverse, so objects are read in the order written.
  const pending: { doc: unknown; inherited: { apiVersion?: string; kind?: string } }[] = docs.map((doc) => ({ doc, inherited: {} })).reverse();
  const lists = new Set<object>();
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { doc, inherited } = next;
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) {
      skip('(none)', `a ${Array.isArray(doc) ? 'list' : typeof doc} where a Kubernetes object was expected`);
      continue;
    }
    const apiVersion = str(doc.apiVersion) ?? inherited.apiVersion;
    const kind = str(doc.kind) ?? inherited.kind;
    if (kind && /List$/.test(kind) && Array.isArray(doc.items)) {
      // A List that holds itself (built in code; parseDocuments refuses such a file) ends here.
      if (lists.has(doc)) continue;
      lists.add(doc);
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      for (let i = doc.items.length - 1; i >= 0; i--) pending.push({ doc: doc.items[i], inherited: { apiVersion, kind: itemKind } });
      continue;
    }
    read(doc, apiVersion, kind);
  }
  return { objects: found.result(), skipped, leftOut };
}

/** The union of several object sets, de-duplicated by uid: a later object replaces an earlier
 * one in place. For reading several files as one cluster. */
export function mergeObjects(sets: readonly ClusterObjects[]): ClusterObjects {
  const merged = collector();
  for (const set of sets) {
    for (const kind of Object.keys(set) as ObjectKind[]) for (const object of set[kind]) merged.add(kind, object);
  }
  return merged.result();
}

type AnyObject = ClusterObjects[ObjectKind][number];

function collector() {
  const byKind = new Map<ObjectKind, Map<string, AnyObject>>();
  return {
    add(kind: ObjectKind, object: AnyObject): void {
      let byUid = byKind.get(kind);
      if (!byUid) byKind.set(kind, (byUid = new Map()));
      byUid.set(object.metadata.uid, object);
    },
    result(): ClusterObjects {
      const objects = emptyObjects();
      for (const [kind, byUid] of byKind) (objects as Record<ObjectKind, AnyObject[]>)[kind] = [...byUid.values()];
      return objects;
    },
  };
}

/**
 * A uid for an object that has none, stable across reads: `manifest-` and 16 hex digits of a
 * hash of kind, namespace and name. The prefix keeps it from being mistaken for one the API
 * server assigned.
 */
export function syntheticUid(kind: ObjectKind, namespace: string | undefined, name: string): string {
  return `manifest-${hash64(`${kind}/${namespace ?? ''}/${name}`)}`;
}

/** cyrb53's two 32-bit lanes, both kept: 64 bits as 16 hex digits. Not cryptographic; it only
 * has to keep the names in one set of manifests apart, without node:crypto. */
function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
