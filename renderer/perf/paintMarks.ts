/**
 * Paint marks for the benchmarks (`npm run bench`): when the counter puts a charge on screen, a
 * User Timing mark `cs:painted:<trace>` records when that frame was painted.
 *
 * "Painted" is taken the usual way: the DOM was committed (layout effect), the next animation
 * frame starts (requestAnimationFrame callbacks run just before that frame's style, layout and
 * paint), and a task posted from that callback runs once the frame has been produced. The mark is
 * made in that task, so it includes the frame's own rendering work.
 *
 * Off unless the page sets `globalThis.__COUNTERSIGN_PAINT_MARKS__ = true` before it loads (the
 * bench does, with an init script): the till itself never fills its performance timeline.
 */
import { useLayoutEffect } from 'react';

export const PAINT_MARK_PREFIX = 'cs:painted:';
export const PAINT_MARKS_FLAG = '__COUNTERSIGN_PAINT_MARKS__';

/** What scheduling a mark needs from the page (injected, so it can be tested without a browser). */
export interface PaintMarkEnv {
  requestAnimationFrame(callback: () => void): number;
  cancelAnimationFrame(handle: number): void;
  /** Runs `callback` in a new task (after the current frame was produced); returns a cancel. */
  postTask(callback: () => void): () => void;
  mark(name: string): void;
}

export function paintMarkName(key: string): string {
  return `${PAINT_MARK_PREFIX}${key}`;
}

/**
 * Marks `name` once the next frame was painted. Returns a cancel (a view replaced before it was
 * painted gets no mark).
 */
export function schedulePaintMark(name: string, env: PaintMarkEnv): () => void {
  let cancelTask: (() => void) | null = null;
  let frame: number | null = env.requestAnimationFrame(() => {
    frame = null;
    cancelTask = env.postTask(() => {
      cancelTask = null;
      env.mark(name);
    });
  });
  return () => {
    if (frame !== null) env.cancelAnimationFrame(frame);
    frame = null;
    cancelTask?.();
    cancelTask = null;
  };
}

/** The page's own scheduling, or null where there is none (server rendering, node tests). */
export function browserPaintMarkEnv(scope: typeof globalThis = globalThis): PaintMarkEnv | null {
  const g = scope as typeof globalThis & Record<string, unknown>;
  if (g[PAINT_MARKS_FLAG] !== true) return null;
  if (typeof g.requestAnimationFrame !== 'function' || typeof g.MessageChannel !== 'function' || typeof g.performance?.mark !== 'function') {
    return null;
  }
  return {
    requestAnimationFrame: (callback) => g.requestAnimationFrame(callback),
    cancelAnimationFrame: (handle) => g.cancelAnimationFrame(handle),
    postTask(callback) {
      // A message is a new task, queued behind the frame being produced (setTimeout may be clamped).
      const channel = new g.MessageChannel();
      let live = true;
      channel.port1.onmessage = () => {
        channel.port1.close();
        if (live) callback();
      };
      channel.port2.postMessage(null);
      return () => {
        live = false;
        channel.port1.close();
      };
    },
    mark: (name) => {
      g.performance.mark(name);
    },
  };
}

/** Marks `cs:painted:<key>` each time `key` (e.g. the charge's trace) is put on screen. */
export function usePaintMark(key: string | null): void {
  useLayoutEffect(() => {
    if (key === null) return;
    const env = browserPaintMarkEnv();
    if (!env) return;
    return schedulePaintMark(paintMarkName(key), env);
  }, [key]);
}
