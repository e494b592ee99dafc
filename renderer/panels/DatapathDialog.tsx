/**
 * "Read this node's datapath" (issue 13), as a modal dialog over the picture: the consent to
 * create debug pods — exactly what, where, with which privileges, and that they are deleted
 * afterwards — with Cancel (focused) and Confirm; the read's progress, per node; then the report:
 * each node read or not, and why, and how long it took. What was read joins the picture: observed
 * names upright, inferred italic, conflicts in Problems.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { DatapathConsent, NodeReadReport } from '../../shared/ipc.ts';
import type { DatapathReadState, DatapathReadStore, ReadTarget } from '../state/datapath.ts';
import { useStore } from '../state/store.ts';
import { keepTabInside } from './focus-trap.ts';

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

function targetText(target: ReadTarget): string {
  if (target === 'all') return 'every node';
  return target.length === 1 ? `node ${target[0]}` : `${target.length} nodes`;
}

export function DatapathDialog({ reads }: { reads: DatapathReadStore }) {
  const state = useStore(reads);
  if (state.phase === 'idle') return null;
  return <DatapathDialogBody state={state} reads={reads} />;
}

function DatapathDialogBody({ state, reads }: { state: Exclude<DatapathReadState, { phase: 'idle' }>; reads: DatapathReadStore }) {
  const dialog = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const phase = state.phase;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = dialog.current;
    return () => {
      const active = document.activeElement;
      const isLost = active === null || active === document.body || (node?.contains(active) ?? false);
      if (previous?.isConnected && isLost) previous.focus();
    };
  }, []);
  // Each step focuses its safe choice: Cancel at the consent, Close on the report.
  useEffect(() => dialog.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus(), [phase]);

  const close = () => (phase === 'report' || phase === 'refused' ? reads.dismiss() : reads.cancel());
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // The shortcuts behind a modal do nothing.
    event.stopPropagation();
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (dialog.current) keepTabInside(event, dialog.current);
  };

  let title: string;
  let body: ReactNode;
  switch (state.phase) {
    case 'consent':
      title = `Read the datapath of ${targetText(state.target)}?`;
      body = <Consent consent={state.consent} target={state.target} onCancel={() => reads.cancel()} onConfirm={() => void reads.confirm()} />;
      break;
    case 'reading':
      title = `Reading the datapath of ${targetText(state.target)}…`;
      body = <Progress state={state} onCancel={() => reads.cancel()} />;
      break;
    case 'report':
      title = `The datapath of ${targetText(state.target)}${state.cancelled ? ' (cancelled)' : ''}`;
      body = <Report nodes={state.nodes} onClose={() => reads.dismiss()} />;
      break;
    case 'refused':
      title = state.title;
      body = (
        <>
          <p className="datapath-reason" data-testid="datapath-reason">
            {state.reason}
          </p>
          <div className="datapath-buttons">
            <button type="button" className="button" data-autofocus onClick={() => reads.dismiss()}>
              Close
            </button>
          </div>
        </>
      );
      break;
  }
  return (
    <>
      <div className="help-backdrop" aria-hidden="true" />
      <div ref={dialog} className="datapath-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="datapath-dialog" data-phase={phase} onKeyDown={onKeyDown}>
        <div className="help-head">
          <h2 id={titleId}>{title}</h2>
        </div>
        <div className="datapath-body">{body}</div>
      </div>
    </>
  );
}

function Consent({ consent, target, onCancel, onConfirm }: { consent: DatapathConsent; target: ReadTarget; onCancel(): void; onConfirm(): void }) {
  const others = target === 'all' ? [] : target.filter((node) => !consent.podNodes.includes(node));
  const many = consent.podNodes.length > 1;
  return (
    <>
      <p>
        {many ? `Podpath will create one pod on each of these ${consent.podNodes.length} nodes` : 'Podpath will create a pod on this node'} to read {many ? 'their' : 'its'}{' '}
        network devices, routes and kube-proxy rules. Nothing is changed on the node.
      </p>
      <dl className="datapath-consent" data-testid="datapath-consent">
        <dt>{many ? 'Nodes' : 'Node'}</dt>
        <dd>{consent.podNodes.join(', ')}</dd>
        <dt>Namespace</dt>
        <dd>
          <code>{consent.namespace}</code>
        </dd>
        <dt>Image</dt>
        <dd>
          <code>{consent.image}</code>
        </dd>
        <dt>Privileges</dt>
        <dd>
          <strong>privileged</strong>, in the node's network and process namespaces (hostNetwork, hostPID), tolerating every taint, with the node's
          /var/run/netns mounted read-only
        </dd>
        <dt>Runs</dt>
        <dd>read-only commands through exec: ip, bridge, iptables-save, nft, ipvsadm</dd>
        <dt>Afterwards</dt>
        <dd>deleted as soon as the read ends, whatever happened; it ends itself if Podpath cannot delete it</dd>
        <dt>Access</dt>
        <dd>{consent.access}</dd>
      </dl>
      {others.length > 0 && <p className="muted small">Read without creating anything (a container on this machine): {others.join(', ')}.</p>}
      <details className="datapath-text">
        <summary>The consent, as the command line says it</summary>
        <pre>{consent.text}</pre>
      </details>
      <div className="datapath-buttons">
        <button type="button" className="button" data-autofocus data-testid="datapath-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-primary" data-testid="datapath-confirm" onClick={onConfirm}>
          Create {many ? `${consent.podNodes.length} pods` : 'the pod'} and read
        </button>
      </div>
    </>
  );
}

function Progress({ state, onCancel }: { state: Extract<DatapathReadState, { phase: 'reading' }>; onCancel(): void }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const node = list.current;
    if (node) node.scrollTop = node.scrollHeight;
  }, [state.lines.length]);
  return (
    <>
      <p role="status" aria-live="polite" data-testid="datapath-progress">
        {state.lines.length === 0
          ? state.isConfirmed
            ? 'Starting…'
            : 'Checking how each node can be read and what you may do…'
          : `${state.done.length}${state.target === 'all' ? '' : ` of ${state.target.length}`} ${state.done.length === 1 && state.target === 'all' ? 'node' : 'nodes'} done.`}
        {state.isCancelling && ' Cancelling: deleting the debug pods…'}
      </p>
      {state.lines.length > 0 && (
        <ol ref={list} className="datapath-lines">
          {state.lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ol>
      )}
      <div className="datapath-buttons">
        <button type="button" className="button" data-autofocus disabled={state.isCancelling} onClick={onCancel}>
          {state.isCancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </>
  );
}

function Report({ nodes, onClose }: { nodes: NodeReadReport[]; onClose(): void }) {
  const read = nodes.filter((n) => n.isRead).length;
  return (
    <>
      <p>
        {read} of {nodes.length} {nodes.length === 1 ? 'node' : 'nodes'} read.
        {read > 0 && ' The picture now shows what was read: observed names upright, inferred ones in italics; conflicts with the API are in Problems.'}
      </p>
      <table className="datapath-report" data-testid="datapath-report">
        <thead>
          <tr>
            <th>Node</th>
            <th>Read</th>
            <th>Time</th>
            <th>What could not be read, and why</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.node} data-node={n.node} data-read={n.isRead}>
              <td>{n.node}</td>
              <td>
                <span className={`badge ${n.isRead ? 'provenance-observed' : 'state-not-ready'}`}>{n.isRead ? 'read' : 'not read'}</span>
              </td>
              <td>{seconds(n.elapsedMs)}</td>
              <td>
                <NodeLines report={n} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="datapath-buttons">
        <button type="button" className="button" data-autofocus onClick={onClose}>
          Close
        </button>
      </div>
    </>
  );
}

/** A node's summary without the node's name it starts with (the row says it). */
function NodeLines({ report }: { report: NodeReadReport }) {
  const [first = '', ...rest] = report.lines;
  // The node and the time have columns of their own.
  const head = first.replace(new RegExp(`^node ${report.node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:? `), '').replace(/^not read after [\d.]+ s: /, '');
  const unread = rest.map((line) => line.trim().replace(/^not read: /, ''));
  return (
    <>
      <div className="small">{head}</div>
      {unread.length > 0 && (
        <ul className="datapath-unread small">
          {unread.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
      {report.isRead && unread.length === 0 && <div className="muted small">everything was read</div>}
    </>
  );
}
