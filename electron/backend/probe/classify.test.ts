import { describe, expect, test } from 'vitest';
import { classify } from './classify.ts';

const exited = (exitCode: number | null, stderr: string, stdout = '') => ({ kind: 'exited' as const, exitCode, stdout, stderr });

// The messages below were recorded on Debian 12 (iproute2 6.1.0, iptables 1.8.9 (nf_tables),
// nftables 1.0.6, ipvsadm 1.31), as root and as `setpriv --reuid=65534`; the OCI runtime's and
// a shell's are their documented forms.
describe('classify', () => {
  test('exit 0 keeps the output, whatever stderr says', () => {
    expect(classify('ip -j addr', exited(0, 'a warning', '[]'))).toEqual({ status: 'ok', command: 'ip -j addr', output: '[]' });
  });

  test.each([
    ['spawn ENOENT', { kind: 'spawn-error' as const, code: 'ENOENT', message: 'spawn nft ENOENT' }],
    ['ip netns exec', exited(1, 'exec of "nft" failed: No such file or directory\n')],
    ['docker / API exec', exited(null, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nft": executable file not found in $PATH: unknown')],
    ['a shell', exited(127, 'sh: nft: not found')],
  ])('a missing tool: %s', (_how, outcome) => {
    expect(classify('nft -j list ruleset', outcome).status).toBe('missing-tool');
  });

  test.each([
    ['iptables-save', 'iptables-save -c', exited(4, 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n')],
    ['nft', 'nft -j list ruleset', exited(1, 'Operation not permitted (you must be root)\nnetlink: Error: cache initialization failed: Operation not permitted\n')],
    ['ipvsadm', 'ipvsadm -Ln', exited(2, "Can't initialize ipvs: Permission denied (you must be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?\n")],
    ['spawn EACCES', 'ip -j link', { kind: 'spawn-error' as const, code: 'EACCES', message: 'spawn ip EACCES' }],
  ])('refused: %s', (_tool, command, outcome) => {
    expect(classify(command, outcome).status).toBe('permission-denied');
  });

  test('no IPVS in the kernel is unsupported, with the first line only', () => {
    const result = classify('ipvsadm -Ln', exited(2, "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n"));
    expect(result).toEqual({ status: 'unsupported', command: 'ipvsadm -Ln', message: "Can't initialize ipvs: Protocol not available" });
  });

  test('no nf_tables is unsupported', () => {
    expect(classify('nft -j list ruleset', exited(1, 'netlink: Error: cache initialization failed: Protocol not supported')).status).toBe('unsupported');
  });

  test('anything else failed, with the exit code and the first line', () => {
    expect(classify('ip -j -d link show eth0', exited(1, 'Device "eth0" does not exist.\n'))).toEqual({
      status: 'failed',
      command: 'ip -j -d link show eth0',
      exitCode: 1,
      message: 'Device "eth0" does not exist.',
    });
    // A netns that is not there is not a missing tool, though it says "No such file or directory".
    expect(classify('ip -j link', exited(255, 'Cannot open network namespace "gone": No such file or directory')).status).toBe('failed');
  });

  test('the line kept is redacted', () => {
    const result = classify('ip -j link', exited(1, 'error: Authorization: Bearer abc.def.ghi rejected'));
    expect(result.status === 'failed' && result.message).not.toContain('abc.def.ghi');
  });

  test('timeouts, oversized output, cancels and a broken way in are failures without an exit code', () => {
    expect(classify('iptables-save -c', { kind: 'timed-out', afterMs: 10_000 })).toEqual({ status: 'failed', command: 'iptables-save -c', exitCode: null, message: 'Timed out after 10 s.' });
    expect(classify('iptables-save -c', { kind: 'too-large', limitBytes: 64 * 1024 * 1024 })).toMatchObject({ status: 'failed', message: 'Its output was larger than 64 MiB; not kept.' });
    expect(classify('ip -j link', { kind: 'aborted' })).toMatchObject({ status: 'failed', exitCode: null });
    expect(classify('ip -j link', { kind: 'transport-error', message: 'exec into pod x/y failed: 404' })).toMatchObject({ status: 'failed', exitCode: null, message: 'exec into pod x/y failed: 404' });
  });
});
