/**
 * The trace panel (issue 6): where traffic starts and where it goes, with port and protocol;
 * the verdict up top, and for a denial the policy and rule to change; then the hops, each with
 * the packet after it and the evidence (and a command to check it on the cluster); branches
 * where a Service fans out. The trace is computed from the topology on every render that changes
 * it, so it follows the live cluster. The path is highlighted on the graph through `onHighlight`.
 */
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import type { Topology } from '../../shared/model/types.ts';
import type { Branch, Trace, Verdict } from '../../shared/trace/types.ts';
import { closeTrace, editTrace, type TraceRequest } from '../state/ui.ts';
import { HopList } from './trace/HopList.tsx';
import { PolicyBlock } from './trace/PolicyBlock.tsx';
import { runTrace } from './trace-request.ts';
import { parsePort, parseProtocol } from '../../shared/trace/query.ts';

export interface TracePanelProps {
  topology: Topology;
  request: TraceRequest;
  /** The model ids of the path shown (null: nothing to highlight). */
  onHighlight(ids: string[] | null): void;
}

const verdictText: Record<Verdict, string> = {
  delivered: 'Delivered',
  'policy-denied': 'Denied by NetworkPolicy',
  'no-endpoints': 'No endpoints: rejected',
  'no-route': 'No route',
  'unknown-target': 'Unknown target',
  ambiguous: 'Ambiguous: some paths delivered, some not',
};

export function TracePanel({ topology, request, onHighlight }: TracePanelProps) {
  const result = useMemo(() => {
    try {
      return { value: runTrace(topology, request), error: null };
    } catch (error) {
      return { value: null, error: error instanceof Error ? error.message : String(error) };
    }
  }, [topology, request]);
  const [branchIndex, setBranchIndex] = useState(0);
  const trace = result.value?.trace ?? null;
  const branches = trace?.branches ?? [];
  const branch: Branch | null = branches[Math.min(branchIndex, branches.length - 1)] ?? null;

  const highlighted = useMemo(() => {
    if (!trace || trace.verdict === 'unknown-target') return null;
    const ids = new Set<string>();
    for (const hop of [...(trace.dns?.hops ?? []), ...trace.hops, ...(branch?.hops ?? [])]) for (const id of hop.ids) ids.add(id);
    return [...ids];
  }, [trace, branch]);
  const highlightKey = highlighted?.join('\n') ?? null;
  const onHighlightRef = useRef(onHighlight);
  onHighlightRef.current = onHighlight;
  useEffect(() => {
    onHighlightRef.current(highlighted);
    // Only when the path itself changes, not on every trace object of a live topology.
  }, [highlightKey]);
  useEffect(() => () => onHighlightRef.current(null), []);

  const onPolicyFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (file) void file.text().then((text) => editTrace({ whatIf: text }));
  };

  return (
    <section className="trace-panel" data-testid="trace-panel" aria-label="Trace">
      <header className="trace-header">
        <h2>Trace</h2>
        <button type="button" className="copy-button" aria-label="Close the trace" title="Close the trace (Escape)" onClick={closeTrace}>
          ×
        </button>
      </header>
      <form className="trace-form" onSubmit={(event) => event.preventDefault()}>
        <label>
          From
          <input data-testid="trace-from" value={request.from} placeholder="ns/pod, svc/ns/name, IP, internet" spellCheck={false} onChange={(e) => editTrace({ from: e.currentTarget.value })} />
        </label>
        <button type="button" className="button button-small trace-swap" title="Swap source and destination" onClick={() => editTrace({ from: request.to, to: request.from })}>
          ⇅
        </button>
        <label>
          To
          <input data-testid="trace-to" value={request.to} placeholder="ns/pod, svc/ns/name, name.ns, IP:port" spellCheck={false} onChange={(e) => editTrace({ to: e.currentTarget.value })} />
        </label>
        <div className="trace-form-row">
          <label>
            Port
            <input
              data-testid="trace-port"
              inputMode="numeric"
              value={request.port ?? ''}
              placeholder="Service's first"
              onChange={(e) => {
                const parsed = parsePort(e.currentTarget.value.trim());
                editTrace({ port: 'port' in parsed ? parsed.port : null });
              }}
            />
          </label>
          <label>
            Protocol
            <select data-testid="trace-protocol" value={request.protocol} onChange={(e) => {
                const parsed = parseProtocol(e.currentTarget.value);
                if ('protocol' in parsed) editTrace({ protocol: parsed.protocol });
              }}
            >
              <option>TCP</option>
              <option>UDP</option>
              <option>SCTP</option>
            </select>
          </label>
        </div>
        <details className="trace-whatif" open={request.whatIf !== ''}>
          <summary>What if… (a NetworkPolicy to try)</summary>
          <textarea
            data-testid="trace-whatif"
            rows={6}
            spellCheck={false}
            value={request.whatIf}
            placeholder={'Paste a NetworkPolicy (YAML or JSON): it is added to the cluster\'s, or replaces the one of the same namespace and name.'}
            onChange={(e) => editTrace({ whatIf: e.currentTarget.value })}
          />
          <label className="button button-small">
            Open file…
            <input type="file" accept=".yaml,.yml,.json" hidden onChange={onPolicyFile} />
          </label>{' '}
          {request.whatIf !== '' && (
            <button type="button" className="button button-small" onClick={() => editTrace({ whatIf: '' })}>
              Clear
            </button>
          )}
          {result.value?.whatIf.problems.map((p) => (
            <p key={p} className="trace-problem">
              {p}
            </p>
          ))}
        </details>
      </form>
      {result.error && (
        <p className="trace-problem" role="alert">
          The trace failed: {result.error}
        </p>
      )}
      {!trace && !result.error && <p className="muted">Pick a source and a destination: type them, or use “Trace from here” and “Trace to here” in an element’s details.</p>}
      {trace && <TraceResultView trace={trace} before={result.value?.before ?? null} branch={branch} branchIndex={branchIndex} onBranch={setBranchIndex} />}
    </section>
  );
}

function TraceResultView({ trace, before, branch, branchIndex, onBranch }: { trace: Trace; before: Trace | null; branch: Branch | null; branchIndex: number; onBranch(index: number): void }) {
  return (
    <div className="trace-result" data-testid="trace-result" data-verdict={trace.verdict}>
      <div className={`trace-verdict verdict-${trace.verdict}`} data-testid="trace-verdict">
        <strong>{verdictText[trace.verdict]}</strong>
        {before && before.verdict !== trace.verdict && (
          <span className="trace-whatif-change" data-testid="trace-whatif-change">
            {' '}
            (with the cluster’s policies: {verdictText[before.verdict].toLowerCase()})
          </span>
        )}
        <p>{trace.summary}</p>
      </div>
      <p className="trace-ends">
        <span>{trace.from.label}</span> → <span>{trace.to.label}</span>
        <br />
        <span className="muted">
          {trace.from.how}; {trace.to.how}
        </span>
      </p>
      <PolicyBlock trace={trace} branch={branch} />
      {trace.dns && (
        <section className="trace-section">
          <h3>DNS: {trace.dns.name}</h3>
          <p>{trace.dns.summary}</p>
          <HopList hops={trace.dns.hops} start={1} testId="trace-dns-hops" />
        </section>
      )}
      <section className="trace-section">
        <h3>Path</h3>
        <HopList hops={trace.hops} start={1} testId="trace-hops" />
      </section>
      {trace.branches.length > 0 && (
        <section className="trace-section">
          <h3>
            {trace.branches.length} way{trace.branches.length === 1 ? '' : 's'} on
          </h3>
          <div className="trace-branches" role="radiogroup" aria-label="Branches" data-testid="trace-branches">
            {trace.branches.map((b, i) => (
              <button
                key={`${b.label}-${i}`}
                type="button"
                role="radio"
                aria-checked={i === branchIndex}
                className={`trace-branch verdict-${b.verdict}${i === branchIndex ? ' is-active' : ''}`}
                onClick={() => onBranch(i)}
                title={b.selection}
              >
                <span>{b.label}</span> <span className="trace-branch-verdict">{verdictText[b.verdict]}</span>
              </button>
            ))}
          </div>
          {branch && (
            <>
              <p className="muted">{branch.selection}</p>
              <p>{branch.summary}</p>
              <HopList hops={branch.hops} start={trace.hops.length + 1} testId="trace-branch-hops" />
            </>
          )}
        </section>
      )}
    </div>
  );
}
