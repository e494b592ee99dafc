/**
 * Polling until the cluster gets there: controllers act asynchronously (EndpointSlices appear a
 * moment after their Service), so tests wait for a condition instead of sleeping.
 */

/** Thrown inside a waitFor callback: give up at once with `inner` rather than retry. */
export class StopWaiting extends Error {
  readonly inner: unknown;
  constructor(inner: unknown) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.name = 'StopWaiting';
    this.inner = inner;
  }
}

/**
 * Polls `fn` until it returns something other than undefined/null/false and resolves with that;
 * a throw counts as "not yet" (so `expect` works inside), except StopWaiting. Rejects after `timeoutMs` with the last value or error.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>;
      last = value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error.inner;
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
