/** The probe's defaults, in a module of their own so that `podpath --help` can show them without
 * loading the Kubernetes client. */

/**
 * The debug pod's image: netshoot (github.com/nicolaka/netshoot, Alpine) has every tool the
 * probe runs — iproute2's `ip` and `bridge`, iptables with `iptables-save`/`ip6tables-save`,
 * nftables' `nft`, and `ipvsadm`. The Kubernetes e2e image `agnhost` lacks nft, bridge and
 * ipvsadm.
 */
export const defaultProbeImage = 'nicolaka/netshoot:v0.15';

/** One node's whole probe, a debug pod's start included. */
export const defaultNodeTimeoutMs = 60_000;
