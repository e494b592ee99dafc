/**
 * The legend as data: a sample of every look the canvas gives an element (stylesheet.ts), in
 * the canvas colours, with what it means. Exported images draw it (export-image.ts) so a PNG or
 * SVG explains itself without the app around it; panels/Legend.tsx shows the same items.
 */
import type { Topology } from '../../shared/model/types.ts';
import { namespaceColors } from './palette.ts';
import type { GraphTheme } from './theme.ts';

export type LegendDash = 'dashed' | 'dotted';

export type LegendSample =
  /**
   * A box: `fillOpacity` as the canvas's background-opacity (theme colours may be rgb(), so no
   * alpha is appended to them), `outline` a ring outside its border (a pod not ready; dashed,
   * `outlineDash`, a problem's subject), `halo` a glow around it (selection), `text` written
   * inside (a fold's count, a badge's word) in `textColor`.
   */
  | { kind: 'box'; stroke: string; fill: string; fillOpacity?: number; width?: number; dash?: LegendDash; shape?: 'round' | 'cut'; outline?: string; outlineDash?: LegendDash; halo?: string; text?: string; textColor?: string }
  | { kind: 'line'; stroke: string; width: number; dash?: LegendDash; arrow?: boolean }
  /** A name as the canvas writes it: italic when inferred, muted when the pod has no IP yet. */
  | { kind: 'text'; text: string; italic?: boolean; color?: string };

export interface LegendItem {
  sample: LegendSample;
  label: string;
}

export interface LegendSection {
  title: string;
  items: LegendItem[];
}

export const legendTitle = 'Legend';

/** A pod's colour in the samples (its namespace's, on the canvas). */
const podColor = '#3f7fd0';

export function legendSections(topology: Topology | null, theme: GraphTheme): LegendSection[] {
  const box = (stroke: string, fill: string, more: Partial<Extract<LegendSample, { kind: 'box' }>> = {}): LegendSample => ({ kind: 'box', stroke, fill, ...more });
  const line = (stroke: string, width = 1.5, more: Partial<Extract<LegendSample, { kind: 'line' }>> = {}): LegendSample => ({ kind: 'line', stroke, width, ...more });
  const sections: LegendSection[] = [
    {
      title: 'Boxes',
      items: [
        { sample: box(theme.hostBorder, theme.hostFill), label: 'node (root netns)' },
        { sample: box(podColor, podColor, { fillOpacity: 0.12 }), label: 'pod netns' },
        { sample: box(podColor, podColor, { fillOpacity: 0.04, dash: 'dashed' }), label: 'hostNetwork pod' },
        { sample: box(podColor, theme.containerFill, { width: 1 }), label: 'container' },
        { sample: box(podColor, theme.containerFill, { width: 1, dash: 'dashed' }), label: 'init container' },
        { sample: box(podColor, theme.containerFill, { width: 2, dash: 'dotted' }), label: 'sidecar container' },
        { sample: box(theme.deviceBorder, theme.deviceFill, { width: 1 }), label: 'device (uplink, bridge, tunnel)' },
        { sample: box(podColor, theme.hostFill, { shape: 'cut' }), label: 'Service' },
        { sample: box(podColor, theme.hostFill, { shape: 'cut', dash: 'dashed' }), label: 'headless Service' },
        { sample: box(theme.hostBorder, theme.hostFill, { fillOpacity: 0, dash: 'dashed', width: 1 }), label: 'Unscheduled: pods on no node' },
        { sample: box(theme.hostBorder, theme.containerFill, { text: '40' }), label: 'fold: many in one (click to open)' },
      ],
    },
    {
      title: 'States',
      items: [
        { sample: box(podColor, podColor, { fillOpacity: 0.12, outline: theme.notReady }), label: 'pod not ready' },
        { sample: { kind: 'text', text: 'name', color: theme.muted }, label: 'Pending pod: no IP yet' },
        { sample: box(theme.notReady, theme.notReady, { fillOpacity: 0.14 }), label: 'fold holding problems' },
        { sample: box(podColor, theme.hostFill, { outline: theme.notReady, outlineDash: 'dashed' }), label: 'a problem the doctor found (orange: a warning)' },
        { sample: box(theme.policy, theme.policy, { width: 0, text: 'in', textColor: '#fff' }), label: 'isolated by NetworkPolicy (in, out)' },
        { sample: box(theme.selection, theme.hostFill, { width: 3, halo: theme.selection }), label: 'selected' },
        { sample: line(theme.selection, 3.5, { arrow: true }), label: 'traced path (hops numbered)' },
        { sample: line(theme.ingress, 2.5, { dash: 'dashed', arrow: true }), label: 'the trace’s DNS lookup' },
        { sample: box(theme.notReady, theme.hostFill, { width: 3.5, halo: theme.notReady }), label: 'denied or dropped here' },
        { sample: { kind: 'text', text: 'name', italic: true }, label: 'inferred, not observed' },
      ],
    },
    {
      title: 'Edges',
      items: [
        { sample: line(theme.veth), label: 'veth pair, named by its host end' },
        { sample: { kind: 'text', text: 'veth?', color: theme.muted }, label: 'host end of the veth unknown' },
        { sample: line(theme.tunnel, 2.5, { dash: 'dashed' }), label: 'overlay tunnel' },
        { sample: line(theme.ready, 1.2, { arrow: true }), label: 'endpoint, ready' },
        { sample: line(theme.notReady, 1.2, { dash: 'dashed', arrow: true }), label: 'endpoint, not ready' },
        { sample: line(theme.terminating, 1.8, { dash: 'dotted', arrow: true }), label: 'endpoint, terminating' },
        { sample: line(theme.ingress, 1.3, { arrow: true }), label: 'Ingress → Service' },
        { sample: line(theme.internet, 1.6, { arrow: true }), label: 'Internet → LoadBalancer, Ingress' },
      ],
    },
  ];
  const colors = topology ? [...namespaceColors(topology)] : [];
  if (colors.length > 0) {
    sections.push({ title: 'Namespaces', items: colors.map(([name, color]) => ({ sample: box(color, color, { fillOpacity: 0.15 }), label: name })) });
  }
  return sections;
}
