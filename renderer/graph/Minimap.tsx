/**
 * The minimap: the whole drawing in small (its top-level boxes: nodes, groups, folds) with the
 * part in view outlined, shown whenever the view holds less than all of it. A click or a drag on
 * it brings that point to the middle of the view. It is drawn from boxes the adapter reads once
 * per update, not from the canvas, so it costs nothing at 150k pods.
 */
import { useEffect, useRef, useState } from 'react';
import type { GraphAdapter } from './adapter.ts';
import type { Overview } from './overview.ts';
import type { Box } from './geometry.ts';

const size = { width: 200, height: 140 };

/** Model → minimap pixels: the overview's bounds fitted (aspect kept) into the minimap. */
function projection(bounds: Box): { scale: number; x(v: number): number; y(v: number): number; back(px: number, py: number): { x: number; y: number } } {
  const w = Math.max(1, bounds.x2 - bounds.x1);
  const h = Math.max(1, bounds.y2 - bounds.y1);
  const scale = Math.min((size.width - 8) / w, (size.height - 8) / h);
  const offX = (size.width - w * scale) / 2;
  const offY = (size.height - h * scale) / 2;
  return {
    scale,
    x: (v) => offX + (v - bounds.x1) * scale,
    y: (v) => offY + (v - bounds.y1) * scale,
    back: (px, py) => ({ x: bounds.x1 + (px - offX) / scale, y: bounds.y1 + (py - offY) / scale }),
  };
}

const contains = (outer: Box, inner: Box): boolean => outer.x1 <= inner.x1 && outer.y1 <= inner.y1 && outer.x2 >= inner.x2 && outer.y2 >= inner.y2;

export function Minimap({ adapter }: { adapter: GraphAdapter | null }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [view, setView] = useState<Box | null>(null);

  useEffect(() => {
    if (!adapter) return;
    let frame = 0;
    const onView = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setView(adapter.visibleBox()));
    };
    const stop = adapter.onOverview((next) => {
      setOverview(next);
      onView();
    }, onView);
    return () => {
      cancelAnimationFrame(frame);
      stop();
    };
  }, [adapter]);

  const isShown = overview !== null && view !== null && !contains(view, overview.bounds);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || !overview || !view) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = size.width * ratio;
    canvas.height = size.height * ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, size.width, size.height);
    const p = projection(overview.bounds);
    const style = getComputedStyle(canvas);
    for (const box of overview.boxes) {
      context.fillStyle = box.hasProblems ? style.getPropertyValue('--graph-not-ready') : (box.color ?? style.getPropertyValue('--graph-host-border'));
      context.globalAlpha = box.hasProblems ? 0.55 : 0.35;
      context.fillRect(p.x(box.x1), p.y(box.y1), Math.max(1, (box.x2 - box.x1) * p.scale), Math.max(1, (box.y2 - box.y1) * p.scale));
    }
    context.globalAlpha = 1;
    context.strokeStyle = style.getPropertyValue('--graph-selection');
    context.lineWidth = 2;
    context.strokeRect(p.x(view.x1), p.y(view.y1), (view.x2 - view.x1) * p.scale, (view.y2 - view.y1) * p.scale);
  }, [overview, view, isShown]);

  if (!isShown || !adapter) return null;
  const moveTo = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    adapter.centerAt(projection(overview.bounds).back(event.clientX - rect.left, event.clientY - rect.top));
  };
  return (
    <canvas
      ref={canvasRef}
      className="minimap"
      data-testid="minimap"
      aria-label="Minimap: the whole graph, with the part in view outlined; click to move there"
      style={{ width: size.width, height: size.height }}
      onPointerDown={(event) => {
        event.currentTarget.setPointerCapture(event.pointerId);
        moveTo(event);
      }}
      onPointerMove={(event) => {
        if (event.buttons === 1) moveTo(event);
      }}
    />
  );
}
