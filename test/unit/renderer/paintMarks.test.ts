/**
 * The bench's paint mark: made after the next animation frame was produced (rAF, then a new task),
 * never before, never for a view replaced before it was painted, and only when the page opted in.
 */
import { describe, expect, it } from 'vitest';
import {
  PAINT_MARKS_FLAG,
  browserPaintMarkEnv,
  paintMarkName,
  schedulePaintMark,
  type PaintMarkEnv,
} from '../../../renderer/perf/paintMarks.js';

/** A page whose frames and tasks run only when the test says so. */
function fakePage() {
  const frames = new Map<number, () => void>();
  const tasks: Array<{ run: () => void; live: boolean }> = [];
  const marks: string[] = [];
  const log: string[] = [];
  let nextFrame = 1;
  const env: PaintMarkEnv = {
    requestAnimationFrame(callback) {
      const id = nextFrame++;
      frames.set(id, callback);
      return id;
    },
    cancelAnimationFrame(id) {
      frames.delete(id);
    },
    postTask(callback) {
      const task = { run: callback, live: true };
      tasks.push(task);
      return () => {
        task.live = false;
      };
    },
    mark(name) {
      marks.push(name);
      log.push(`mark ${name}`);
    },
  };
  return {
    env,
    marks,
    log,
    /** One frame: its rAF callbacks, then "paint". */
    frame() {
      const due = [...frames.values()];
      frames.clear();
      for (const f of due) f();
      log.push('paint');
    },
    /** The tasks queued so far. */
    tasks() {
      const due = tasks.splice(0);
      for (const t of due) if (t.live) t.run();
    },
  };
}

describe('schedulePaintMark', () => {
  it('marks after the next frame was painted, not before', () => {
    const page = fakePage();
    schedulePaintMark(paintMarkName('000318'), page.env);
    page.tasks(); // a task before the frame: nothing to mark yet
    expect(page.marks).toEqual([]);
    page.frame();
    expect(page.marks).toEqual([]); // the rAF callback runs before the frame is produced
    page.tasks();
    expect(page.marks).toEqual(['cs:painted:000318']);
    expect(page.log).toEqual(['paint', 'mark cs:painted:000318']);
  });

  it('makes no mark for a view replaced before its frame, or before its task', () => {
    const page = fakePage();
    const cancelEarly = schedulePaintMark('cs:painted:a', page.env);
    cancelEarly();
    page.frame();
    page.tasks();
    const cancelLate = schedulePaintMark('cs:painted:b', page.env);
    page.frame();
    cancelLate();
    page.tasks();
    schedulePaintMark('cs:painted:c', page.env);
    page.frame();
    page.tasks();
    expect(page.marks).toEqual(['cs:painted:c']);
  });
});

describe('browserPaintMarkEnv', () => {
  const scope = (flag: unknown, marks: string[], frames: Array<() => void> = []) =>
    ({
      [PAINT_MARKS_FLAG]: flag,
      requestAnimationFrame: (cb: () => void) => frames.push(cb),
      cancelAnimationFrame: () => undefined,
      MessageChannel,
      performance: { mark: (name: string) => marks.push(name) },
    }) as unknown as typeof globalThis;

  it('is off unless the page opted in', () => {
    expect(browserPaintMarkEnv(scope(undefined, []))).toBeNull();
    expect(browserPaintMarkEnv(scope('true', []))).toBeNull();
    expect(browserPaintMarkEnv(globalThis)).toBeNull();
  });

  it('marks through the performance timeline in a task posted from the frame', async () => {
    const marks: string[] = [];
    const frames: Array<() => void> = [];
    const env = browserPaintMarkEnv(scope(true, marks, frames));
    expect(env).not.toBeNull();
    schedulePaintMark('cs:painted:000001', env!);
    const cancel = schedulePaintMark('cs:painted:000002', env!);
    for (const f of frames.splice(0)) f(); // the frame: both tasks are posted
    expect(marks).toEqual([]); // not within the frame itself
    cancel(); // replaced after its frame started, before its task ran
    await new Promise((r) => setTimeout(r, 20));
    expect(marks).toEqual(['cs:painted:000001']);
  });
});
