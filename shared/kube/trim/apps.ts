/**
 * apps/v1: the DaemonSets that run the CNI and kube-proxy — their images, flags with every
 * credential redacted, and only the env settings that say how packets are forwarded.
 */
import type { DaemonSet, ObjectMeta } from '../objects.ts';
import { bool, compact, type Data, list, nonEmpty, num, record, str, strings } from './read.ts';

const cidrs = /^[0-9a-fA-F.:]+\/\d{1,3}(,[0-9a-fA-F.:]+\/\d{1,3})*$/;
const onOff = /^(true|false|Always|Never|CrossSubnet)$/i;

/**
 * The only DaemonSet environment variables kept: datapath switches that are in no ConfigMap,
 * each with the shape its value must have. Only a literal `value` matching that shape is kept
 * (never a `valueFrom` reference, never free text), so no secret can ride along even if someone
 * put one in such a variable.
 */
const datapathEnvShapes: Readonly<Record<string, RegExp>> = {
  // Calico's calico-node: the default IP pool's encapsulation, CIDR and block size, the
  // networking backend and the host-side veth prefix.
  CALICO_IPV4POOL_IPIP: onOff,
  CALICO_IPV4POOL_VXLAN: onOff,
  CALICO_IPV6POOL_VXLAN: onOff,
  CALICO_IPV4POOL_CIDR: cidrs,
  CALICO_IPV6POOL_CIDR: cidrs,
  CALICO_IPV4POOL_BLOCK_SIZE: /^\d{1,3}$/,
  CALICO_IPV6POOL_BLOCK_SIZE: /^\d{1,3}$/,
  CALICO_NETWORKING_BACKEND: /^(bird|vxlan|none)$/,
  FELIX_INTERFACEPREFIX: /^[a-z]{1,12}(,[a-z]{1,12})*$/,
  FELIX_BPFENABLED: onOff,
  // AWS VPC CNI's aws-node: the host-side veth prefix, prefix delegation and IPv6.
  AWS_VPC_K8S_CNI_VETHPREFIX: /^[a-z]{1,12}$/,
  ENABLE_PREFIX_DELEGATION: onOff,
  ENABLE_IPv6: onOff,
  // Weave Net: the pod address range.
  IPALLOC_RANGE: cidrs,
  // kindnet: the cluster's pod CIDR.
  POD_SUBNET: cidrs,
};

export const datapathEnvAllowlist: readonly string[] = Object.keys(datapathEnvShapes);

const redacted = '<redacted>';
const credentialWord = String.raw`(?:token|passw(?:or)?d|pwd|secret|credential|api[-_]?key|private[-_]?key|access[-_]?key|bearer)`;
/** A value: quoted, or bare up to whitespace or a shell separator (`;`, `&`, `|`). */
const quotedOrBare = String.raw`(?:"[^"]*"|'[^']*'|[^\s"';&|]+)`;
/** `--password=x`, `DB_PASSWORD=x`, `--client-secret="x y"`: keep the name, drop the value. */
const credentialAssignment = new RegExp(String.raw`([\w.-]*${credentialWord}[\w.-]*=)${quotedOrBare}`, 'gi');
/** `--token x` inside a shell script string (`sh -c "… --token x"`). */
const credentialFlagThenValue = new RegExp(String.raw`(-{1,2}[\w.-]*${credentialWord}[\w.-]*\s+)(?!-)${quotedOrBare}`, 'gi');
/** A flag that is itself a credential name, whose value is the next argument (`--token`, `x`). */
const credentialFlag = new RegExp(String.raw`^-{1,2}[\w.-]*${credentialWord}[\w.-]*$`, 'i');
/** `https://user:password@host`. */
const urlUserInfo = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/**
 * A DaemonSet's command or args with every value that looks like a credential replaced by
 * `<redacted>`; flag names stay, so `--proxy-mode=ipvs` and the shape of the command remain.
 * Redacting a harmless value (`--token-ttl=24h`) costs nothing; missing a real one would leak it.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let isValueOfCredentialFlag = false;
  for (const arg of args) {
    if (isValueOfCredentialFlag && !arg.startsWith('-')) {
      out.push(redacted);
      isValueOfCredentialFlag = false;
      continue;
    }
    isValueOfCredentialFlag = credentialFlag.test(arg);
    out.push(
      arg
        .replace(credentialAssignment, `$1${redacted}`)
        .replace(credentialFlagThenValue, `$1${redacted}`)
        .replace(urlUserInfo, `$1${redacted}@`),
    );
  }
  return out;
}

/** The allowlisted variables with a literal value; undefined when none is left. */
function datapathEnv(raw: unknown): { name: string; value: string }[] | undefined {
  const kept = list(raw, (e) => {
    const name = str(e.name);
    const value = str(e.value);
    return name && value !== undefined && datapathEnvShapes[name]?.test(value) ? { name, value } : undefined;
  });
  return kept && kept.length > 0 ? kept : undefined;
}

export function trimDaemonSet(o: Data, metadata: ObjectMeta): DaemonSet {
  const podSpec = record(record(record(o.spec).template).spec);
  const status = record(o.status);
  const command = (raw: unknown) => {
    const values = strings(raw);
    return values ? redactArgs(values) : undefined;
  };
  return compact({
    metadata,
    spec: {
      template: {
        spec: compact({
          hostNetwork: bool(podSpec.hostNetwork),
          containers:
            list(podSpec.containers, (c) => {
              const name = str(c.name);
              if (!name) return undefined;
              return compact({ name, image: str(c.image), command: command(c.command), args: command(c.args), env: datapathEnv(c.env) });
            }) ?? [],
        }),
      },
    },
    status: nonEmpty({ desiredNumberScheduled: num(status.desiredNumberScheduled), numberReady: num(status.numberReady) }),
  });
}
