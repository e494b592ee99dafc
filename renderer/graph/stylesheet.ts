/**
 * The one stylesheet of the canvas (Kiali's GraphStyles): every look is a class toggled on an
 * element, never a per-element style bypass.
 */
import type cytoscape from 'cytoscape';
import { fontFamily, padding, text, vethBusOffset, vethLabelOffset } from './geometry.ts';
import type { GraphTheme } from './theme.ts';

/**
 * The control-point distance that bows a tunnel edge between hosts `span` apart below the tunnel
 * devices of the hosts in between: a quadratic curve is 2t(1-t)·d off its chord, and the nearest
 * host in between, at t = 1/span, must be cleared by half a device plus a margin (28 px).
 */
const tunnelBow = (span: number | undefined): number => (span === undefined || !(span > 1) ? 0 : Math.round((14 * span * span) / (span - 1)) + 12);

export function graphStylesheet(theme: GraphTheme): cytoscape.StylesheetJson {
  const labelBackground = {
    'text-background-color': theme.background,
    'text-background-opacity': 0.9,
    'text-background-padding': '2px',
    'text-background-shape': 'roundrectangle',
  } as const;

  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-family': fontFamily,
        'font-size': text.size,
        'line-height': 1.25,
        color: theme.text,
        'text-wrap': 'wrap',
        'text-max-width': '1000px',
        'text-valign': 'center',
        'text-halign': 'center',
        shape: 'round-rectangle',
        'background-color': theme.hostFill,
        'border-width': 1,
        'border-color': theme.hostBorder,
        // Text too small to read is not drawn: it costs a frame and tells nothing.
        'min-zoomed-font-size': 6,
      },
    },
    { selector: 'node[width]', style: { width: 'data(width)', height: 'data(height)' } },
    {
      selector: 'node.host',
      style: {
        'background-color': theme.hostFill,
        'border-color': theme.hostBorder,
        'border-width': 1.5,
        'text-valign': 'top',
        'font-size': 12,
        'font-weight': 600,
        'text-margin-y': -4,
        padding: `${padding.host}px`,
        'compound-sizing-wrt-labels': 'include',
        'corner-radius': '10px',
      },
    },
    { selector: 'node.host.not-ready', style: { 'border-color': theme.notReady, 'border-style': 'dashed' } },
    {
      selector: 'node.pod',
      style: {
        'background-color': 'data(color)',
        'background-opacity': 0.12,
        'border-color': 'data(color)',
        'border-width': 1.5,
        'text-valign': 'top',
        'text-margin-y': -3,
        padding: `${padding.pod}px`,
        'compound-sizing-wrt-labels': 'exclude',
      },
    },
    { selector: 'node.pod.host-network', style: { 'border-style': 'dashed', 'background-opacity': 0.04 } },
    { selector: 'node.pod.not-ready', style: { 'outline-width': 2, 'outline-color': theme.notReady, 'outline-offset': 1, 'outline-opacity': 0.8 } },
    { selector: 'node.pod.no-ip', style: { color: theme.muted } },
    {
      selector: 'node.container',
      style: {
        'background-color': theme.containerFill,
        'border-color': 'data(color)',
        'border-width': 1,
        'font-size': text.smallSize,
      },
    },
    { selector: 'node.container.role-init', style: { 'border-style': 'dashed', color: theme.muted } },
    { selector: 'node.container.role-sidecar', style: { 'border-style': 'dotted', 'border-width': 2 } },
    {
      selector: 'node.device, node.routes',
      style: {
        'background-color': theme.deviceFill,
        'border-color': theme.deviceBorder,
        'font-size': text.smallSize + 0.5,
        'corner-radius': '4px',
      },
    },
    { selector: 'node.device-bridge', style: { 'border-color': theme.veth, 'border-width': 1.5 } },
    { selector: 'node.device-tunnel', style: { 'border-color': theme.tunnel, 'border-width': 1.5 } },
    { selector: 'node.routes', style: { 'border-style': 'dashed', 'border-color': theme.veth } },
    { selector: 'node.name-inferred', style: { 'font-style': 'italic' } },
    {
      selector: 'node.group',
      style: {
        'background-opacity': 0,
        'border-style': 'dashed',
        'border-color': theme.hostBorder,
        'text-valign': 'top',
        'text-margin-y': -4,
        'font-weight': 600,
        padding: `${padding.group}px`,
        'compound-sizing-wrt-labels': 'include',
        'corner-radius': '8px',
      },
    },
    {
      selector: 'node.service-group, node.namespace',
      style: { 'border-style': 'solid', 'border-color': 'data(color)', 'background-color': 'data(color)', 'background-opacity': 0.05 },
    },
    {
      selector: 'node.service',
      style: {
        shape: 'cut-rectangle',
        'background-color': theme.hostFill,
        'border-color': 'data(color)',
        'border-width': 1.5,
        'font-size': text.smallSize + 0.5,
      },
    },
    { selector: 'node.service.headless', style: { 'border-style': 'dashed' } },
    {
      selector: 'node.ingress',
      style: { shape: 'round-rectangle', 'background-color': theme.hostFill, 'border-color': theme.ingress, 'border-width': 1.5, 'font-size': text.smallSize + 0.5 },
    },
    {
      selector: 'node.internet',
      style: { shape: 'ellipse', 'background-color': theme.internet, 'background-opacity': 0.12, 'border-color': theme.internet, 'border-width': 1.5, 'font-size': 13, 'font-weight': 600 },
    },

    {
      selector: 'node.fold',
      style: {
        'background-color': theme.containerFill,
        'background-opacity': 0.9,
        // Solid: a dash pattern is in model pixels, so a fold a whole row of nodes wide would be
        // stroked as hundreds of thousands of dashes on every frame.
        'border-style': 'solid',
        'border-width': 1.5,
        'border-color': theme.hostBorder,
        'font-size': 'data(fontSize)',
        // Lines break only where the label does: the font is sized to the box.
        'text-max-width': 'data(width)',
        'min-zoomed-font-size': 5,
        'text-valign': 'center',
        'corner-radius': '8px',
      },
    },
    { selector: 'node.fold-host, node.fold-block', style: { 'background-color': theme.hostFill, 'font-weight': 600 } },
    { selector: 'node.fold-services', style: { 'border-color': 'data(color)' } },
    // Health reads at any zoom: a fold holding problems is tinted and outlined.
    { selector: 'node.fold.has-problems', style: { 'border-color': theme.notReady, 'border-style': 'solid', 'background-color': theme.notReady, 'background-opacity': 0.14 } },
    { selector: 'node.fold.not-ready', style: { 'border-color': theme.notReady, 'border-width': 3 } },
    {
      selector: 'edge',
      style: {
        width: 1.2,
        'line-color': theme.edge,
        'target-arrow-color': theme.edge,
        'curve-style': 'bezier',
        'font-family': fontFamily,
        'font-size': 9.5,
        'min-zoomed-font-size': 6,
        color: theme.muted,
        ...labelBackground,
        'arrow-scale': 0.7,
      },
    },
    { selector: 'edge[label != ""]', style: { label: 'data(label)' } },
    {
      // Bridge → pod, drawn as a bus: up the middle gutter, along the gap under the pod's row.
      selector: 'edge.veth',
      style: {
        label: '',
        'curve-style': 'taxi',
        'taxi-direction': 'vertical',
        'taxi-turn': `${-vethBusOffset}px`,
        'taxi-turn-min-distance': '4px',
        'line-color': theme.veth,
        'target-label': 'data(label)',
        'target-text-offset': vethLabelOffset,
        'font-size': 8.5,
        color: theme.text,
      },
    },
    { selector: 'edge.veth-inferred', style: { 'font-style': 'italic' } },
    { selector: 'edge.veth-unknown', style: { color: theme.muted } },
    {
      selector: 'edge.tunnel',
      style: {
        width: 2.5,
        'line-color': theme.tunnel,
        'line-style': 'dashed',
        'line-dash-pattern': [8, 4],
        color: theme.tunnel,
        'font-weight': 600,
        'curve-style': (edge: cytoscape.EdgeSingular) => (((edge.data('span') as number | undefined) ?? 0) > 1 ? 'unbundled-bezier' : 'straight'),
        // Positive: below the line from the left host to the right one, into the gap above the Services.
        'control-point-distances': (edge: cytoscape.EdgeSingular) => [tunnelBow(edge.data('span') as number | undefined)],
        'control-point-weights': [0.5],
      },
    },
    {
      selector: 'edge.endpoint',
      style: { 'line-color': theme.ready, 'target-arrow-color': theme.ready, 'target-arrow-shape': 'triangle', opacity: 0.55 },
    },
    { selector: 'edge.endpoint.not-ready', style: { 'line-color': theme.notReady, 'target-arrow-color': theme.notReady, 'line-style': 'dashed' } },
    { selector: 'edge.endpoint.mixed', style: { 'line-style': 'dashed' } },
    { selector: 'edge.folded', style: { width: 2.2 } },
    { selector: 'edge.endpoint.terminating', style: { 'line-color': theme.terminating, 'target-arrow-color': theme.terminating, 'line-style': 'dotted', width: 1.8 } },
    {
      selector: 'edge.backend',
      style: {
        label: '',
        'target-label': 'data(label)',
        'target-text-offset': 64,
        'line-color': theme.ingress,
        'target-arrow-color': theme.ingress,
        'target-arrow-shape': 'triangle',
        width: 1.3,
        opacity: 0.8,
        color: theme.ingress,
      },
    },
    {
      selector: 'edge.exposure',
      // The address sits near the exposed end, clear of the hosts the edge may cross.
      style: {
        label: '',
        'target-label': 'data(label)',
        'target-text-offset': 64,
        'line-color': theme.internet,
        'target-arrow-color': theme.internet,
        'target-arrow-shape': 'triangle',
        width: 1.6,
        opacity: 0.85,
        color: theme.internet,
      },
    },
    { selector: 'edge.exposure.pending', style: { 'line-style': 'dashed' } },

    // Highlighting: classes toggled by the adapter.
    { selector: 'edge.is-faded', style: { opacity: 0.12 } },
    // A trace: its path stands out, everything else steps back.
    { selector: '.is-trace-dimmed', style: { opacity: 0.18 } },
    { selector: 'node.is-traced', style: { 'border-color': theme.selection, 'border-width': 3, opacity: 1 } },
    { selector: 'edge.is-traced', style: { 'line-color': theme.selection, 'target-arrow-color': theme.selection, width: 3.5, opacity: 1, 'z-index': 30 } },
    { selector: 'edge.is-related', style: { opacity: 1, width: 2.4, 'z-index': 10 } },
    { selector: 'node.is-related', style: { 'border-width': 2.5 } },
    {
      selector: 'node.is-selected',
      style: { 'border-width': 3, 'border-color': theme.selection, 'underlay-color': theme.selection, 'underlay-opacity': 0.18, 'underlay-padding': 5 },
    },
    {
      // What a search chose: a wide halo, so that it stands out wherever the view lands.
      selector: 'node.is-found',
      style: { 'underlay-color': theme.selection, 'underlay-opacity': 0.4, 'underlay-padding': 12, 'underlay-shape': 'round-rectangle' },
    },
    { selector: 'edge.is-selected', style: { 'line-color': theme.selection, 'target-arrow-color': theme.selection, width: 3.5, opacity: 1, 'z-index': 20 } },
  ];
}
