/**
 * The legend, floating over the canvas's corner so the sidebar's full height is the details'
 * and the trace's. Its items are legend-spec.ts's, the same the exported images draw, in the
 * canvas's colours of the theme in force.
 */
import { useEffect, useState, type CSSProperties } from 'react';
import type { Topology } from '../../shared/model/types.ts';
import { legendSections, type LegendDash, type LegendSample } from '../graph/legend-spec.ts';
import { onDidChangeColorScheme, readGraphTheme } from '../graph/theme.ts';

export interface LegendProps {
  topology: Topology | null;
  /** Whether every Service, Ingress and Internet edge is drawn, not only the hovered or selected element's. */
  showAllEndpoints: boolean;
  onShowAllEndpoints(isShown: boolean): void;
  /** A trace is shown: the legend collapses out of its way. */
  isTracing: boolean;
}

const openKey = 'podpath.legend.open';

/** Closed, a button in the corner (as Kiali's), unless the user left it open last time (a view
 * preference, kept in this browser's storage): every element also says what it is on hover. */
function readOpen(): boolean {
  try {
    return localStorage.getItem(openKey) === 'true';
  } catch {
    return false;
  }
}

const dashArray: Record<LegendDash, string> = { dashed: '5 3', dotted: '1.5 2.5' };

/** One sample, drawn with the canvas's colours through the CSSOM (React's style prop), which the
 * CSP allows, unlike style attributes in markup. */
function Sample({ sample }: { sample: LegendSample }) {
  if (sample.kind === 'text') {
    return (
      <span className="legend-text-sample" style={{ fontStyle: sample.italic ? 'italic' : undefined, color: sample.color }}>
        {sample.text}
      </span>
    );
  }
  if (sample.kind === 'line') {
    return (
      <svg className="edge-sample" width="34" height="10" viewBox="0 0 34 10" aria-hidden="true">
        <line x1="1" y1="5" x2={sample.arrow ? 27 : 33} y2="5" stroke={sample.stroke} strokeWidth={sample.width} strokeDasharray={sample.dash ? dashArray[sample.dash] : undefined} strokeLinecap={sample.dash === 'dotted' ? 'round' : undefined} />
        {sample.arrow && <polygon points="26,1.5 33,5 26,8.5" fill={sample.stroke} />}
      </svg>
    );
  }
  const style: CSSProperties = {
    border: `${sample.width ?? 1.5}px ${sample.dash ?? 'solid'} ${sample.stroke}`,
    background: sample.fillOpacity === undefined ? sample.fill : `color-mix(in srgb, ${sample.fill} ${Math.round(sample.fillOpacity * 100)}%, transparent)`,
    color: sample.textColor,
    ...(sample.outline ? { outline: `2px ${sample.outlineDash ?? 'solid'} ${sample.outline}`, outlineOffset: 1 } : {}),
    ...(sample.halo ? { boxShadow: `0 0 0 3px color-mix(in srgb, ${sample.halo} 35%, transparent)` } : {}),
  };
  return (
    <span className={`node-sample${sample.shape === 'cut' ? ' node-sample-cut' : ''}`} style={style}>
      {sample.text}
    </span>
  );
}

export function Legend({ topology, showAllEndpoints, onShowAllEndpoints, isTracing }: LegendProps) {
  const [isOpen, setOpen] = useState(readOpen);
  const [theme, setTheme] = useState(readGraphTheme);
  useEffect(() => onDidChangeColorScheme(() => setTheme(readGraphTheme())), []);
  // A trace is fitted to the whole canvas: the legend steps aside (not remembered), and opens
  // again with a click.
  useEffect(() => {
    if (isTracing) setOpen(false);
  }, [isTracing]);
  const sections = legendSections(topology, theme);
  return (
    <details
      className="legend"
      open={isOpen}
      data-testid="legend"
      onToggle={(event) => {
        const open = event.currentTarget.open;
        // Only the user's own toggles are remembered; the DOM following `open` fires this too.
        if (open === isOpen) return;
        setOpen(open);
        try {
          localStorage.setItem(openKey, String(open));
        } catch {
          // Storage refused: the choice lasts for this window only.
        }
      }}
    >
      <summary>Legend</summary>
      <label className="legend-option">
        <input type="checkbox" data-testid="show-all-endpoints" checked={showAllEndpoints} onChange={(e) => onShowAllEndpoints(e.currentTarget.checked)} />
        Draw every Service, Ingress and Internet edge (else only the hovered or selected element’s)
      </label>
      <div className="legend-grid">
        {sections.map((section) => (
          <section key={section.title} className={`legend-section legend-${section.title.toLowerCase()}`}>
            <h4>{section.title}</h4>
            <ul>
              {section.items.map((item) => (
                <li key={item.label}>
                  <Sample sample={item.sample} /> {item.label}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </details>
  );
}
