/**
 * The trace panel (issue 6): where traffic starts and where it goes, with port and protocol;
 * the verdict up top, and for a denial the policy and rule to change; then the hops, each with
 * the packet after it and the evidence (and a command to check it on the cluster); branches
 * where a Service fans out. The trace is computed from the topology on every render that changes
 * it, so it follows the live cluster. The path is drawn on the graph (`graph`, trace-path.ts):
 * numbered as the hop list is, and a hop hovered or chosen in one is marked in the other.
 */
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { pathHops, type PathHop } from '../graph/trace-path.ts';
import type { Topology } from '../../shared/model/types.ts';
import { blockersOf } from '../../shared/trace/blockers.ts';
import type { Branch, Trace, Verdict } from '../../shared/trace/types.ts';
import { closeTrace, editTrace, type TraceRequest } from '../state/ui.ts';
import { HopList } from './trace/HopList.tsx';
import { CopyButton } from './details/CopyButton.tsx';
import { Blockers } from './trace/Blockers.tsx';
import { PolicyBlock } from './trace/PolicyBlock.tsx';
import { familyNoteText, isFamilyChoice, runTrace, type WhatIf } from './trace-request.ts';
import { parseFamily, parsePort, parseProtocol } from '../../shared/trace/query.ts';
import { splitFamilyNote } from '../../shared/trace/family.ts';
import { printable } from '../../shared/text/printable.ts';

export interface TracePanelProps {
  topology: Topology;
  request: TraceRequest;
  /** The graph to draw the path on (the adapter), when there is one. */
  graph(): TraceGraph | null;
}

/** What the trace panel needs of the graph: to draw the path, mark a hop, and hear which hops are hovered there. */
export interface TraceGraph {
  setTrace(path: readonly PathHop[] | null): void;
  highlightTraceHop(hop: number | null): void;
  onDidHoverTraceHops: ((hops: number[] | null) => void) | null;
}

/** Which hops are marked in the list: the one hovered or chosen there, those at the element hovered on the graph. */
export interface HopMarks {
  active: number | null;
  chosen: number | null;
  onGraph: ReadonlySet<number>;
  deciding: number | null;
  /** Hops that would block the packet again, after the deciding one. */
  blocking: ReadonlySet<number>;
  onHover(hop: number | null): void;
  onChoose(hop: number): void;
}

const noHops: ReadonlySet<number> = new Set();

const verdictText: Record<Verdict, string> = {
  delivered: 'Delivered',
  'policy-denied': 'Denied by NetworkPolicy',
  'no-endpoints': 'No endpoints: rejected',
  'no-route': 'No route',
  'unknown-target': 'Unknown target',
  ambiguous: 'Ambiguous: some paths delivered, some not',
  unknown: 'Unknown: what it depends on could not be read',
};

/** The verdict's heading; a denial an admin, baseline, Calico or Cilium rule made names that
 * policy's kind (a Calico tier's end names the tier, Cilium's default deny says so). */
function verdictHeading(trace: Trace): string {
  if (trace.verdict !== 'policy-denied') return verdictText[trace.verdict];
  const denied = [trace.policy.egress, trace.policy.ingress].find((v) => v?.verdict === 'denied' && (v.decidedBy || v.cniRule));
  if (denied?.decidedBy) return `Denied by ${denied.decidedBy.apiKind}`;
  const cni = denied?.cniRule;
  if (!cni) return verdictText[trace.verdict];
  if (cni.section === 'end-of-tier') return `Denied by Calico tier ${cni.name}`;
  if (cni.section === 'default-deny') return "Denied by Cilium's default deny";
  return `Denied by ${cni.cni === 'calico' ? 'Calico ' : ''}${cni.apiKind}`;
}

export function TracePanel({ topology, request, graph }: TracePanelProps) {
  const result = useMemo(() => {
    try {
      return { value: runTrace(topology, request), error: null };
    } catch (error) {
      return { value: null, error: error instanceof Error ? error.message : String(error) };
    }
  }, [topology, request]);
  // Only where an end is dual-stack (or a family is already asked for, to take it back).
  const hasFamilyChoice = useMemo(() => request.family !== null || isFamilyChoice(topology, request.from, request.to), [topology, request.family, request.from, request.to]);
  const [branchIndex, setBranchIndex] = useState(0);
  const trace = result.value?.trace ?? null;
  const branches = trace?.branches ?? [];
  const branch: Branch | null = branches[Math.min(branchIndex, branches.length - 1)] ?? null;

  const path = useMemo(() => (trace ? pathHops(trace, branch) : null), [trace, branch]);
  const pathKey = path ? JSON.stringify(path) : null;
  const graphRef = useRef(graph);
  graphRef.current = graph;
  // A hop hovered or chosen in the list, and the hops at the element hovered on the graph.
  const [hovered, setHovered] = useState<number | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [onGraph, setOnGraph] = useState<ReadonlySet<number>>(noHops);
  const active = hovered ?? chosen;
  useEffect(() => {
    graphRef.current()?.setTrace(path);
    setChosen(null);
    // Only when the path itself changes, not on every trace object of a live topology.
  }, [pathKey]);
  useEffect(() => {
    graphRef.current()?.highlightTraceHop(active);
  }, [active]);
  useEffect(() => {
    const drawing = graphRef.current();
    if (!drawing) return;
    const listener = (hops: number[] | null) => setOnGraph(hops ? new Set(hops) : noHops);
    drawing.onDidHoverTraceHops = listener;
    return () => {
      drawing.setTrace(null);
      if (drawing.onDidHoverTraceHops === listener) drawing.onDidHoverTraceHops = null;
    };
  }, []);
  const marks: HopMarks = {
    active,
    chosen,
    onGraph,
    deciding: path?.find((hop) => hop.isDeciding)?.number ?? null,
    blocking: new Set(path?.filter((hop) => hop.isBlocker).map((hop) => hop.number)),
    onHover: setHovered,
    onChoose: (hop) => setChosen((current) => (current === hop ? null : hop)),
  };

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
          <input data-testid="trace-from" value={request.from} placeholder="ns/pod, ns/deployment, node/name, IP, internet" spellCheck={false} onChange={(e) => editTrace({ from: e.currentTarget.value })} />
        </label>
        <EndSuggestions suggestions={trace?.from.suggestions} testId="trace-from-suggestions" onPick={(from) => editTrace({ from })} />
        <button type="button" className="button button-small trace-swap" title="Swap source and destination" onClick={() => editTrace({ from: request.to, to: request.from })}>
          ⇅
        </button>
        <label>
          To
          <input data-testid="trace-to" value={request.to} placeholder="ns/pod:port, svc/ns/name:port, name.ns, IP:port" spellCheck={false} onChange={(e) => editTrace({ to: e.currentTarget.value })} />
        </label>
        <EndSuggestions suggestions={trace?.to.suggestions} testId="trace-to-suggestions" onPick={(to) => editTrace({ to })} />
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
            <select data-testid="trace-protocol" value={request.protocol ?? ''} onChange={(e) => {
                const parsed = parseProtocol(e.currentTarget.value);
                editTrace({ protocol: 'protocol' in parsed ? parsed.protocol : null });
              }}
            >
              <option value="" title="As the destination's named port says, else TCP">
                Auto
              </option>
              <option>TCP</option>
              <option>UDP</option>
              <option>SCTP</option>
            </select>
          </label>
          {hasFamilyChoice && <FamilySelect family={request.family} />}
        </div>
        <details className="trace-whatif" open={request.whatIf !== ''}>
          <summary>What if… (a NetworkPolicy, admin, Calico or Cilium policy to try)</summary>
          <textarea
            data-testid="trace-whatif"
            rows={6}
            spellCheck={false}
            value={request.whatIf}
            placeholder={'Paste policies (YAML or JSON): NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, Calico NetworkPolicy, GlobalNetworkPolicy or Tier, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. Each is added to the cluster\'s, or replaces the one of the same kind and name.'}
            onChange={(e) => editTrace({ whatIf: e.currentTarget.value })}
          />
          <label className="button button-small">
            Open file…
            <input type="file" accept=".yaml,.yml,.json" hidden onChange={onPolicyFile} />
          </label>{' '}
          {request.whatIf !== '' && (
            <>
              <button type="button" className="button button-small" onClick={() => editTrace({ whatIf: '' })}>
                Clear
              </button>{' '}
              <CopyButton text={request.whatIf} label="Copy the what-if YAML">
                Copy YAML
              </CopyButton>
            </>
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
      {trace && <TraceResultView trace={trace} before={result.value?.before ?? null} branch={branch} branchIndex={branchIndex} onBranch={setBranchIndex} marks={marks} topology={topology} whatIf={result.value?.whatIf ?? noWhatIf} />}
    </section>
  );
}

const noWhatIf: WhatIf = { policies: [], problems: [] };

/** IPv4, IPv6, or as the tracer decides (`podpath trace --family`). */
function FamilySelect({ family }: { family: 4 | 6 | null }) {
  return (
    <label>
      Family
      <select data-testid="trace-family" value={family ?? ''} onChange={(e) => {
          const parsed = parseFamily(e.currentTarget.value);
          editTrace({ family: 'family' in parsed ? parsed.family : null });
        }}
      >
        <option value="" title="The family of the sender's primary IP, or the destination's only one">
          Auto
        </option>
        <option value="4">IPv4</option>
        <option value="6">IPv6</option>
      </select>
    </label>
  );
}

/** Under an end that names nothing (or several things): what to write instead, one click each. */
function EndSuggestions({ suggestions, testId, onPick }: { suggestions: string[] | undefined; testId: string; onPick(text: string): void }) {
  if (!suggestions?.length) return null;
  return (
    <div className="trace-suggestions" data-testid={testId}>
      <span className="muted">Did you mean</span>
      {suggestions.map((text) => (
        <button key={text} type="button" className="link" title={`Trace with ${text}`} onClick={() => onPick(text)}>
          {text}
        </button>
      ))}
    </div>
  );
}

function TraceResultView({ trace, before, branch, branchIndex, onBranch, marks, topology, whatIf }: { trace: Trace; before: Trace | null; branch: Branch | null; branchIndex: number; onBranch(index: number): void; marks: HopMarks; topology: Topology; whatIf: WhatIf }) {
  // Numbered on from section to section, as the graph numbers them (trace-path.ts).
  const lookupHops = trace.dns?.hops.length ?? 0;
  const isAnyObserved = [...(trace.dns?.hops ?? []), ...trace.hops, ...trace.branches.flatMap((b) => b.hops)].some((hop) => hop.provenance === 'observed');
  const blockers = useMemo(() => blockersOf(trace, branch), [trace, branch]);
  // A failure's blockers say what its summary would; a delivery or a disagreement is summed up.
  const isSaidByBlockers = blockers.length > 0 && trace.verdict !== 'delivered' && trace.verdict !== 'ambiguous';
  // The family note stays when blockers stand for the summary: it says what the path is of.
  const { summary, note } = splitFamilyNote(trace.summary);
  return (
    <div className="trace-result" data-testid="trace-result" data-verdict={trace.verdict}>
      <div className={`trace-verdict verdict-${trace.verdict}`} data-testid="trace-verdict">
        <strong>{verdictHeading(trace)}</strong>
        {before && before.verdict !== trace.verdict && (
          <span className="trace-whatif-change" data-testid="trace-whatif-change">
            {' '}
            (with the cluster’s policies: {verdictText[before.verdict].toLowerCase()})
          </span>
        )}
        {!isSaidByBlockers && <p className="trace-summary">{printable(summary, 'layout')}</p>}
        {note && (
          <p className="muted small" data-testid="trace-family-note">
            {familyNoteText(note)}
          </p>
        )}
      </div>
      <Blockers blockers={blockers} topology={topology} whatIf={whatIf} />
      <PolicyBlock trace={trace} branch={branch} blockers={blockers} />
      <p className="trace-ends">
        <span>{trace.from.label}</span> → <span>{trace.to.label}</span>
        <br />
        <span className="muted">
          {trace.from.how}; {trace.to.how}
        </span>
      </p>
      <div className="trace-hop-area" data-testid="trace-hop-area">
        {trace.dns && (
          <section className="trace-section">
            <h3>DNS: {trace.dns.name}</h3>
            <p>{printable(trace.dns.summary)}</p>
            <HopList hops={trace.dns.hops} start={1} testId="trace-dns-hops" marks={marks} />
          </section>
        )}
        <section className="trace-section">
          <h3>Path{trace.isDnsAssumed && <span className="trace-assumed"> — if DNS had answered</span>}</h3>
          {trace.isDnsAssumed && <p className="muted" data-testid="trace-dns-assumed">The lookup failed ({trace.dns?.status}); the connection is traced on to what CoreDNS would have answered, to find what else blocks it.</p>}
          {!isAnyObserved && (
            <p className="muted small" data-testid="trace-all-inferred">
              Inferred from the API: no node’s datapath was read (a node’s menu reads it).
            </p>
          )}
          <HopList hops={trace.hops} start={lookupHops + 1} testId="trace-hops" marks={marks} />
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
                {branch.verdict !== 'policy-denied' && <p>{printable(branch.summary, 'layout')}</p>}
                <HopList hops={branch.hops} start={lookupHops + trace.hops.length + 1} testId="trace-branch-hops" marks={marks} />
              </>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
