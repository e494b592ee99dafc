/**
 * Failures of exec credential plugins (`aws`, `gke-gcloud-auth-plugin`, `kubelogin`): one that
 * could not be started, and one that ran and failed, named with its command and first lines.
 */
import { basename } from 'node:path';
import { KubeError, describePath, endSentence, errorCode, firstLines, redact, stripAnsi, type KubeErrorWhere } from './kube-error.ts';

/** A plugin whose command could not be started (spawn ENOENT, EACCES). */
export function execSpawnError(code: string | undefined, command: string, where: KubeErrorWhere, cause: unknown): KubeError {
  const name = basename(command);
  const ofContext = where.context ? ` of context ${where.context}` : '';
  if (code === 'ENOENT') {
    return new KubeError(
      'exec-not-found',
      `The credential plugin \`${name}\`${ofContext} was not found on PATH (${describePath(process.env.PATH)}).`,
      { hint: 'Install it, or start Podpath from a shell where it is on PATH.', cause },
    );
  }
  if (code === 'EACCES') {
    return new KubeError('exec-failed', `The credential plugin \`${name}\`${ofContext} could not be run: permission denied.`, {
      hint: `Make ${command} executable.`,
      cause,
    });
  }
  return new KubeError('exec-failed', `The credential plugin \`${name}\`${ofContext} could not be started (${code ?? 'error'}).`, {
    hint: 'Run it in a terminal to see why.',
    cause,
  });
}

/** A credential plugin that ran and failed; `output` is its stderr (or why its output was unusable). */
export function execFailed(command: string | null, output: string, where: KubeErrorWhere, cause?: unknown): KubeError {
  const subject = `The credential plugin${command ? ` \`${basename(command)}\`` : ''}${where.context ? ` of context ${where.context}` : ''}`;
  const text = firstLines(redact(stripAnsi(output)), 3);
  const problem =
    cause instanceof SyntaxError
      ? `${subject} printed something that is not an ExecCredential (${text}).`
      : text
        ? `${subject} failed: ${endSentence(text)}`
        : `${subject} failed without a message.`;
  return new KubeError('exec-failed', problem, {
    hint: 'Run it in a terminal to see why; you may need to log in again.',
    cause,
  });
}

export function isPlainExecFailure(error: unknown, where: KubeErrorWhere): boolean {
  if (!(error instanceof Error) || errorCode(error) || error.cause !== undefined) return false;
  // client-node rejects with `new Error(stderr)` from its exec authenticator (or a SyntaxError when
  // the plugin's output is not JSON). In an unbundled run its file shows in the stack; callers
  // that know the context's auth say so (configForContext's KubeConfig classifies these itself).
  const fromExecAuth = /exec_auth\.[cm]?js/.test(error.stack ?? '');
  if (error instanceof SyntaxError) return fromExecAuth;
  if (error.constructor !== Error) return false;
  return fromExecAuth || where.auth?.startsWith('exec:') === true;
}

/** The plugin's command, when the caller named the context's auth (`exec:aws`). */
export function execCommandOf(where: KubeErrorWhere): string | null {
  return where.auth?.startsWith('exec:') ? where.auth.slice('exec:'.length) : null;
}
