/**
 * The graph's right-click menu (issue 11): what can be done with one element — trace from or to
 * it, show its details, copy its name or address, narrow the graph to its namespace or node.
 * Opened at the pointer by a right-click on the canvas, or at the selected element by the menu
 * key or Shift+F10; closed by Escape, a click elsewhere or a choice. The actions are the same the
 * details panel's buttons and the Filters panel take (../state/ui.ts).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { describeElement } from '../../shared/describe/build.ts';
import type { GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { endpointTextFor } from '../../shared/trace/end-text.ts';
import type { GraphElement } from '../graph/element-types.ts';
import { editTrace, select, setFilters, type TraceRequest } from '../state/ui.ts';
import type { ReadTarget } from '../state/datapath.ts';
import type { DatapathAction } from './datapath-action.ts';
import { copyableName, copyText } from './details/copy.ts';

export type MenuAction =
  | { kind: 'trace'; change: Partial<TraceRequest> }
  | { kind: 'select'; id: string }
  | { kind: 'copy'; text: string }
  | { kind: 'filter'; change: Partial<GraphFilters> }
  | { kind: 'readDatapath'; target: ReadTarget };

export interface MenuItem {
  /** What the item does, and the value it does it with (shown beside, muted). */
  label: string;
  value?: string;
  action: MenuAction;
  /** Why it cannot be done here: shown under it, and choosing it does nothing. */
  unavailable?: string;
}

/**
 * The menu of a graph element, in groups (drawn with separators between them): `id` is the
 * element's graph id (what "Details" selects), `element` the element as drawn, if it is one the
 * picture builds (a fold stands for its model element, whose id it passes).
 */
export function contextMenuItems(topology: Topology, id: string, element: GraphElement | null, datapath: Pick<DatapathAction, 'unavailable'> | null = null): MenuItem[][] {
  const model = element ? element.data.model : id;
  if (model === null) return [[{ label: 'Details', action: { kind: 'select', id } }]];

  const traceEnd = endpointTextFor(topology, model);
  const trace: MenuItem[] = traceEnd
    ? [
        { label: 'Trace from here', value: traceEnd, action: { kind: 'trace', change: { from: traceEnd } } },
        { label: 'Trace to here', value: traceEnd, action: { kind: 'trace', change: { to: traceEnd } } },
      ]
    : [];

  const description = describeElement(topology, model);
  const name = description ? copyableName(description) : null;
  const copy: MenuItem[] = name ? [{ label: 'Copy name', value: name, action: { kind: 'copy', text: name } }] : [];
  const addresses = (label: string, ips: readonly string[]): void => {
    for (const ip of ips) copy.push({ label, value: ip, action: { kind: 'copy', text: ip } });
  };

  const pod = topology.pods[model] ?? topology.pods[topology.containers[model]?.pod ?? ''] ?? topology.pods[topology.veths[model]?.pod ?? ''];
  const service = topology.services[model] ?? topology.services[topology.endpoints[model]?.service ?? ''];
  const device = topology.devices[model];
  const host = topology.hosts[model] ?? topology.hosts[device?.host ?? ''] ?? topology.hosts[pod?.host ?? ''];
  if (topology.pods[model]) addresses('Copy IP', topology.pods[model].ips);
  if (topology.services[model]) addresses('Copy ClusterIP', topology.services[model].clusterIPs);
  if (topology.hosts[model]) addresses('Copy InternalIP', topology.hosts[model].internalIPs);

  const namespace = pod?.namespace ?? service?.namespace ?? topology.ingresses[model]?.namespace ?? topology.namespaces[model]?.name ?? null;
  const only: MenuItem[] = [];
  if (namespace !== null) only.push({ label: 'Show only this namespace', value: namespace, action: { kind: 'filter', change: { namespaces: [namespace] } } });
  if (host) only.push({ label: 'Show only this node', value: host.name, action: { kind: 'filter', change: { nodes: [host.name] } } });

  const details: MenuItem[] = [{ label: 'Details', action: { kind: 'select', id } }];
  // On a node's box: read what its datapath really is (issue 13).
  const read: MenuItem[] = [];
  const node = topology.hosts[model];
  if (datapath && node) {
    const unavailable = datapath.unavailable ?? undefined;
    read.push(
      { label: "Read this node's datapath", value: node.name, action: { kind: 'readDatapath', target: [node.name] }, unavailable },
      { label: "Read every node's datapath", action: { kind: 'readDatapath', target: 'all' }, unavailable },
    );
  }
  return [trace, details, read, copy, only].filter((group) => group.length > 0);
}

export interface ContextMenuProps {
  topology: Topology;
  /** The element's graph id, and the element as the picture draws it (null for a fold's model id). */
  id: string;
  element: GraphElement | null;
  /** Where it was asked for, in client coordinates: the menu's top left corner, kept in the window. */
  at: { x: number; y: number };
  /** Reading nodes' datapath, where the source allows it. */
  datapath?: DatapathAction | null;
  onClose(): void;
}

export function ContextMenu({ topology, id, element, at, datapath = null, onClose }: ContextMenuProps) {
  const groups = useMemo(() => contextMenuItems(topology, id, element, datapath), [topology, id, element, datapath]);
  const menu = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState(at);
  const [failure, setFailure] = useState<string | null>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  // Inside the window: a menu asked for near the right or bottom edge opens towards the pointer.
  useLayoutEffect(() => {
    const box = menu.current?.getBoundingClientRect();
    if (!box) return;
    const margin = 4;
    setPlace({
      x: Math.max(margin, Math.min(at.x, window.innerWidth - box.width - margin)),
      y: Math.max(margin, Math.min(at.y, window.innerHeight - box.height - margin)),
    });
  }, [at]);

  useEffect(() => {
    // The focus comes back where it was (the canvas, or the page) when the menu goes.
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) onCloseRef.current();
    };
    const close = () => onCloseRef.current();
    window.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('resize', close);
    window.addEventListener('blur', close);
    return () => {
      window.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('resize', close);
      window.removeEventListener('blur', close);
      before?.focus();
    };
  }, []);

  const run = (action: MenuAction) => {
    switch (action.kind) {
      case 'trace':
        editTrace(action.change);
        return onClose();
      case 'select':
        select(action.id);
        return onClose();
      case 'filter':
        setFilters((filters) => ({ ...filters, ...action.change }));
        return onClose();
      case 'readDatapath':
        datapath?.read(action.target);
        return onClose();
      case 'copy':
        // The menu stays open to say why, if the clipboard refuses.
        void copyText(action.text).then((result) => (result.ok ? onCloseRef.current() : setFailure(result.reason)));
        return;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const current = items.indexOf(document.activeElement as HTMLElement);
    const moveTo = (index: number) => items[(index + items.length) % items.length]?.focus();
    if (event.key === 'ArrowDown') moveTo(current + 1);
    else if (event.key === 'ArrowUp') moveTo(current < 0 ? -1 : current - 1);
    else if (event.key === 'Home') moveTo(0);
    else if (event.key === 'End') moveTo(-1);
    else if (event.key === 'Escape' || event.key === 'Tab') onClose();
    else return;
    // Handled here: the window's shortcuts (App.tsx) leave a prevented key alone.
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={menu}
      className="context-menu"
      role="menu"
      aria-label="Element actions"
      data-testid="context-menu"
      style={{ left: place.x, top: place.y }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {groups.map((group, g) => (
        <div key={g} role="group" className="context-menu-group">
          {group.map((item) => (
            <button
              key={`${item.label}|${item.value ?? ''}`}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="context-menu-item"
              aria-disabled={item.unavailable ? true : undefined}
              title={item.unavailable}
              onClick={() => item.unavailable || run(item.action)}
            >
              <span className="context-menu-label">{item.label}</span>
              {item.value && <span className="context-menu-value">{item.value}</span>}
            </button>
          ))}
          {/* Items of a group are unavailable for one reason: said once, under them. */}
          {group.some((item) => item.unavailable) && (
            <div className="context-menu-note" data-testid="context-menu-note">
              {group.find((item) => item.unavailable)?.unavailable}
            </div>
          )}
        </div>
      ))}
      {failure && (
        <div className="context-menu-failure" role="status">
          Not copied. {failure}
        </div>
      )}
    </div>
  );
}
