/**
 * What a command's outcome means for the reading (shared/datapath/reading.ts CommandResult): the
 * output, or why there is none — the tool is not there, the kernel or runtime refused, the
 * kernel lacks the feature, or it failed with an exit code and the first line it wrote. The
 * messages are the tools' own (read in the C locale, see runner.ts); a line is kept only after
 * redaction, so a token in an error never reaches a snapshot.
 */
import type { CommandResult } from '../../../shared/datapath/reading.ts';
import { firstLines, redact } from '../kube/kube-error.ts';
import type { RunOutcome } from './runner.ts';

/**
 * Not installed where the command ran. `ip netns exec`: `exec of "nft" failed: No such file or
 * directory`; docker, podman and the API's exec (the OCI runtime): `exec: "nft": executable file
 * not found in $PATH`; a shell: `nft: command not found` (exit 127).
 */
const missingTool = /^exec of ".*" failed: No such file or directory|executable file not found|command not found|no such file or directory: unknown/im;

/**
 * Refused: no CAP_NET_ADMIN or not root (`Permission denied (you must be root)` from iptables
 * and ipvsadm, `Operation not permitted` from nft and setns), a seccomp or LSM profile.
 */
const refused = /Operation not permitted|Permission denied|you must be root|\bEPERM\b|\bEACCES\b/i;

/**
 * The tool ran but the kernel lacks the feature: no IPVS (`Can't initialize ipvs: Protocol not
 * available`), no nf_tables (`Protocol not supported`, `Operation not supported`), no iptables
 * table module (`Table does not exist (do you need to insmod?)`).
 */
const unsupported = /Protocol not available|not supported|do you need to insmod|Address family not supported/i;

/** The first line worth showing, without credentials; at most 300 characters. */
export function firstLine(text: string): string {
  return firstLines(redact(text), 1, false);
}

/** `command` is the reading's name for it (`ip -j -d link`), not the argv with its prefix. */
export function classify(command: string, outcome: RunOutcome): CommandResult {
  const tool = command.split(' ')[0] ?? command;
  switch (outcome.kind) {
    case 'spawn-error':
      if (outcome.code === 'ENOENT') return { status: 'missing-tool', command, message: `${tool} is not installed (${outcome.code}).` };
      if (outcome.code === 'EACCES' || outcome.code === 'EPERM') return { status: 'permission-denied', command, message: `${tool} could not be started (${outcome.code}).` };
      return { status: 'failed', command, exitCode: null, message: firstLine(outcome.message) };
    case 'timed-out':
      return { status: 'failed', command, exitCode: null, message: `Timed out after ${formatSeconds(outcome.afterMs)}.` };
    case 'too-large':
      return { status: 'failed', command, exitCode: null, message: `Its output was larger than ${outcome.limitBytes / (1024 * 1024)} MiB; not kept.` };
    case 'aborted':
      return { status: 'failed', command, exitCode: null, message: 'Cancelled.' };
    case 'transport-error':
      return { status: 'failed', command, exitCode: null, message: firstLine(outcome.message) };
    case 'exited': {
      if (outcome.exitCode === 0) return { status: 'ok', command, output: outcome.stdout };
      const text = outcome.stderr.trim() ? outcome.stderr : outcome.stdout;
      const line = firstLine(text) || `exited with ${outcome.exitCode ?? 'a signal'} and wrote nothing`;
      if (outcome.exitCode === 127 || missingTool.test(text)) return { status: 'missing-tool', command, message: line };
      if (refused.test(text)) return { status: 'permission-denied', command, message: line };
      if (unsupported.test(text)) return { status: 'unsupported', command, message: line };
      return { status: 'failed', command, exitCode: outcome.exitCode, message: line };
    }
  }
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
