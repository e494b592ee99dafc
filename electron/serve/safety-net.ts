/**
 * The serve command's last net: an exception or rejection that no handler caught (a bug, since
 * every parse of what a client sends is guarded in serve.ts) is logged, and the server keeps
 * serving the other pages rather than exiting under them.
 */
import { redact } from '../backend/kube/kube-error.ts';

export function keepServingThroughFaults(target: Pick<NodeJS.EventEmitter, 'on'>, log: (line: string) => void): void {
  const report = (kind: string) => (fault: unknown) => {
    log(redact(`podpath: ${kind}, still serving: ${fault instanceof Error ? (fault.stack ?? fault.message) : String(fault)}`));
  };
  target.on('uncaughtException', report('an internal error'));
  target.on('unhandledRejection', report('an unhandled rejection'));
}
