/**
 * The cytoscape host: one long-lived <div> that React renders once and never touches again
 * (Kiali's approach). The cytoscape instance lives as long as the component; model updates,
 * selection and theme reach it through the adapter, not through re-rendering.
 */
import cytoscape from 'cytoscape';
import { memo, useEffect, useRef } from 'react';
import type { Topology } from '../../shared/model/types.ts';
import { GraphAdapter } from './adapter.ts';
import { onDidChangeColorScheme, readGraphTheme } from './theme.ts';

export interface GraphViewProps {
  topology: Topology | null;
  selected: string | null;
  onSelect(id: string | null): void;
  /** Receives the adapter once it exists (for "Fit" and the test hook), and null on unmount. */
  onReady?(adapter: GraphAdapter | null): void;
}

export const GraphView = memo(function GraphView({ topology, selected, onSelect, onReady }: GraphViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const adapterRef = useRef<GraphAdapter | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const cy = cytoscape({
      container,
      elements: [],
      layout: { name: 'preset' },
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
    });
    const adapter = new GraphAdapter(cy);
    adapter.setTheme(readGraphTheme());
    adapterRef.current = adapter;
    cy.on('tap', (event) => {
      const target = event.target as cytoscape.Core | cytoscape.SingularElementArgument;
      onSelectRef.current(target === cy ? null : (target as cytoscape.SingularElementArgument).id());
    });
    const stopWatchingScheme = onDidChangeColorScheme(() => adapter.setTheme(readGraphTheme()));
    const resize = new ResizeObserver(() => cy.resize());
    resize.observe(container);
    onReady?.(adapter);
    return () => {
      onReady?.(null);
      resize.disconnect();
      stopWatchingScheme();
      adapterRef.current = null;
      cy.destroy();
    };
    // Created once: onReady is read at mount on purpose.
  }, []);

  useEffect(() => {
    if (topology) adapterRef.current?.setTopology(topology);
  }, [topology]);

  useEffect(() => {
    adapterRef.current?.setSelection(selected);
  }, [selected, topology]);

  return <div ref={containerRef} className="graph" data-testid="graph" />;
});
