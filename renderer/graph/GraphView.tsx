/**
 * The cytoscape host: one long-lived <div> that React renders once and never touches again
 * (Kiali's approach). The cytoscape instance lives as long as the component; model updates,
 * selection and theme reach it through the adapter, not through re-rendering.
 */
import cytoscape from 'cytoscape';
import { memo, useEffect, useRef, useState } from 'react';
import type { GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { GraphAdapter } from './adapter.ts';
import { Minimap } from './Minimap.tsx';
import { selectionFor } from './detail.ts';
import type { GraphNodeData, Grouping } from './element-types.ts';
import { onDidChangeColorScheme, readGraphTheme } from './theme.ts';
import { chooseRenderer, glRendererName } from './webgl.ts';

export interface GraphViewProps {
  topology: Topology | null;
  /** What the filters let through (a change rebuilds the drawing's elements; nothing moves). */
  filters: GraphFilters;
  /** Changes when a different picture is shown (another session): it is laid out afresh and fitted. */
  layoutKey: string;
  /**
   * False while a live session's first lists are still arriving: until then every update is laid
   * out afresh, so that the picture does not grow in the order the API happened to answer.
   * Afterwards updates are applied in place and nothing drawn moves.
   */
  isSettled: boolean;
  /** By node or by namespace (part of the picture: a change lays it out afresh). */
  grouping: Grouping;
  /** Leave room in each host for pods still to come (a live session). */
  hasGrowthRoom: boolean;
  /** Positions a snapshot was saved with: a new picture starts from them. */
  savedLayout: Record<string, { x: number; y: number }> | null;
  selected: string | null;
  onSelect(id: string | null): void;
  /** Receives the adapter once it exists (for "Fit" and the test hook), and null on unmount. */
  onReady?(adapter: GraphAdapter | null): void;
  /** Told after each update whether new elements had to be placed overlapping others. */
  onNeedsTidying?(needsTidying: boolean): void;
  /** A right-click on an element (a fold: on what it stands for), where it was in client coordinates. */
  onContextMenu?(id: string, at: { x: number; y: number }): void;
}

export const GraphView = memo(function GraphView({ topology, filters, layoutKey, grouping, isSettled, hasGrowthRoom, savedLayout, selected, onSelect, onReady, onNeedsTidying, onContextMenu }: GraphViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const adapterRef = useRef<GraphAdapter | null>(null);
  const drawnKey = useRef<string | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const [layingOut, setLayingOut] = useState<number | null>(null);
  /** The adapter as state, for the minimap to subscribe to. */
  const [liveAdapter, setLiveAdapter] = useState<GraphAdapter | null>(null);
  const [hover, setHover] = useState<Parameters<NonNullable<GraphAdapter['onDidHover']>>[0]>(null);
  const onNeedsTidyingRef = useRef(onNeedsTidying);
  onNeedsTidyingRef.current = onNeedsTidying;
  const onContextMenuRef = useRef(onContextMenu);
  onContextMenuRef.current = onContextMenu;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const renderer = chooseRenderer(window.location.search, glRendererName());
    container.setAttribute('data-renderer', renderer);
    const cy = cytoscape({
      container,
      ...(renderer === 'webgl' ? { renderer: { name: 'canvas', webgl: true } } : {}),
      elements: [],
      layout: { name: 'preset' },
      minZoom: 0.05,
      maxZoom: 4,
      // A mouse wheel's notch zooms by about a third, not cytoscape's default 2.5×.
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
    });
    const adapter = new GraphAdapter(cy);
    adapter.onDidChangeLayingOut = setLayingOut;
    adapter.onDidHover = setHover;
    // Leaving the canvas straight from an element gives cytoscape no mouseout to report.
    const hideHover = (): void => adapter.clearHover();
    container.addEventListener('mouseleave', hideHover);
    adapter.setTheme(readGraphTheme());
    adapterRef.current = adapter;
    setLiveAdapter(adapter);
    cy.on('tap', (event) => {
      const target = event.target as cytoscape.Core | cytoscape.SingularElementArgument;
      if (target === cy) return onSelectRef.current(null);
      const element = target as cytoscape.SingularElementArgument;
      // A folded box opens where it stands, zoomed to so that its contents read, and what it
      // stands for is selected.
      const folds = element.data('folds') as string | undefined;
      if (folds) adapter.openFold(folds);
      onSelectRef.current(selectionFor(element.data() as GraphNodeData));
    });
    cy.on('cxttap', 'node, edge', (event) => {
      const element = event.target as cytoscape.SingularElementArgument;
      const id = selectionFor(element.data() as GraphNodeData);
      const box = container.getBoundingClientRect();
      // The menu takes the hover text's place.
      setHover(null);
      if (id) onContextMenuRef.current?.(id, { x: box.left + event.renderedPosition.x, y: box.top + event.renderedPosition.y });
    });
    // The graph's own menu (cxttap) stands in for the browser's.
    const preventMenu = (event: MouseEvent): void => event.preventDefault();
    container.addEventListener('contextmenu', preventMenu);
    const stopWatchingScheme = onDidChangeColorScheme(() => adapter.setTheme(readGraphTheme()));
    const resize = new ResizeObserver(() => adapter.resize());
    resize.observe(container);
    onReady?.(adapter);
    return () => {
      onReady?.(null);
      resize.disconnect();
      container.removeEventListener('mouseleave', hideHover);
      container.removeEventListener('contextmenu', preventMenu);
      stopWatchingScheme();
      adapterRef.current = null;
      cy.destroy();
    };
    // Created once: onReady is read at mount on purpose.
  }, []);

  useEffect(() => {
    const adapter = adapterRef.current;
    if (!topology || !adapter) return;
    const key = `${layoutKey}|${grouping}`;
    const isNewPicture = drawnKey.current !== key;
    drawnKey.current = key;
    // A snapshot's saved layout is of the by-node picture.
    const saved = isNewPicture && grouping === 'node' ? savedLayout : null;
    adapter.setTopology(topology, { relayout: isNewPicture || !isSettled, refit: isNewPicture, hasGrowthRoom, savedLayout: saved, grouping, filters });
    onNeedsTidyingRef.current?.(adapter.needsTidying);
    // savedLayout belongs to the picture (layoutKey): it is read only when that changes.
  }, [topology, filters, layoutKey, grouping, isSettled, hasGrowthRoom]);

  useEffect(() => {
    adapterRef.current?.setSelection(selected);
  }, [selected, topology]);

  return (
    <>
      <div ref={containerRef} className="graph" data-testid="graph" />
      {hover && (
        // Beside the pointer, never under it, and on the side of it with room.
        <div className="graph-tooltip" role="tooltip" data-testid="graph-tooltip" style={tooltipPlace(hover, containerRef.current)}>
          <strong>{hover.title}</strong>
          {hover.lines.map((line, i) => (
            <div key={i}>{line}</div>
          ))}
          {hover.why && <div className="graph-tooltip-why">{hover.why}</div>}
        </div>
      )}
      <Minimap adapter={liveAdapter} />
      {layingOut !== null && (
        <div className="canvas-message" role="status" data-testid="laying-out">
          Laying out {layingOut.toLocaleString('en')} elements…
        </div>
      )}
    </>
  );
});

/** Right of and below the pointer, or left of / above it in the far half of the canvas. */
function tooltipPlace(at: { x: number; y: number }, container: HTMLElement | null): { left?: number; right?: number; top?: number; bottom?: number } {
  const width = container?.clientWidth ?? 0;
  const height = container?.clientHeight ?? 0;
  const gap = 14;
  return {
    ...(at.x > width / 2 ? { right: width - at.x + gap } : { left: at.x + gap }),
    ...(at.y > height / 2 ? { bottom: height - at.y + gap } : { top: at.y + gap }),
  };
}
