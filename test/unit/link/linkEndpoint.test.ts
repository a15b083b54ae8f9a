import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../../native/link/framing.js';
import { LinkEndpoint, LinkSendFailedError, type LinkEndpointOptions } from '../../../native/link/linkEndpoint.js';
import type { LinkErrorEvent } from '../../../native/link/types.js';
import { ascii, concat, hex } from './fixtures.js';

const DATA = ascii('1VD000007TR006000318AM012000000128000');
const FRAME_HEX = hex(encodeFrame(DATA));
const PEER = ascii('1ST000001SS004IDLE');

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(over: Partial<LinkEndpointOptions> = {}) {
  const writes: string[] = [];
  const frames: string[] = [];
  const linkErrors: LinkErrorEvent[] = [];
  const ep = new LinkEndpoint({
    writeBytes: (b) => {
      writes.push(hex(b));
    },
    onFrame: (d) => {
      frames.push(String.fromCharCode(...d));
    },
    onLinkError: (e) => linkErrors.push(e),
    ...over,
  });
  return { ep, writes, frames, linkErrors };
}
/** Track a promise's state without unhandled rejections. */
function track(p: Promise<void>) {
  const s: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (s.state = 'resolved'),
    (e) => {
      s.state = 'rejected';
      s.error = e;
    },
  );
  return s;
}
const tick = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LinkEndpoint sending', () => {
  it('ACK path: one write, resolves on ACK', async () => {
    const { ep, writes } = setup();
    const s = track(ep.sendFrame(DATA));
    await tick();
    expect(writes).toEqual([FRAME_HEX]);
    expect(s.state).toBe('pending');
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(s.state).toBe('resolved');
    await vi.advanceTimersByTimeAsync(5000);
    expect(writes).toEqual([FRAME_HEX]);
  });

  it('NAK: the same frame is sent again at once', async () => {
    const { ep, writes } = setup();
    const s = track(ep.sendFrame(DATA));
    await tick();
    ep.receive(Uint8Array.of(0x15));
    await tick();
    expect(writes).toEqual([FRAME_HEX, FRAME_HEX]);
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(s.state).toBe('resolved');
  });

  it('silence: 3 sends 1000 ms apart, then LinkSendFailedError', async () => {
    const { ep, writes } = setup();
    const s = track(ep.sendFrame(DATA));
    await tick();
    expect(writes.length).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(writes.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes.length).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes.length).toBe(3);
    expect(s.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.state).toBe('rejected');
    expect(s.error).toBeInstanceOf(LinkSendFailedError);
    expect(s.error).toMatchObject({ reason: 'timeout', sends: 3 });
    expect(writes).toEqual([FRAME_HEX, FRAME_HEX, FRAME_HEX]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes.length).toBe(3);
  });

  it('three NAKs: failure with reason nak; an ACK after that is ignored', async () => {
    const { ep, writes } = setup();
    const s = track(ep.sendFrame(DATA));
    for (let i = 0; i < 3; i++) {
      await tick();
      ep.receive(Uint8Array.of(0x15));
    }
    await tick();
    expect(writes.length).toBe(3);
    expect(s.error).toMatchObject({ name: 'LinkSendFailedError', reason: 'nak', sends: 3 });
    ep.receive(Uint8Array.of(0x06));
    await tick();
  });

  it('NAK then silence then ACK on the third send', async () => {
    const { ep, writes } = setup();
    const s = track(ep.sendFrame(DATA));
    await tick();
    ep.receive(Uint8Array.of(0x15));
    await tick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes.length).toBe(3);
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(s.state).toBe('resolved');
  });

  it('custom ackTimeoutMs / maxSends and injected timers', async () => {
    const fake = { setTimeout: vi.fn((fn: () => void, ms: number) => setTimeout(fn, ms)), clearTimeout: vi.fn((h: unknown) => clearTimeout(h as number)) };
    const { ep, writes } = setup({ ackTimeoutMs: 50, maxSends: 2, timers: fake });
    const s = track(ep.sendFrame(DATA));
    await vi.advanceTimersByTimeAsync(100);
    expect(writes.length).toBe(2);
    expect(s.error).toMatchObject({ reason: 'timeout', sends: 2 });
    expect(fake.setTimeout).toHaveBeenCalledWith(expect.any(Function), 50);
  });

  it('sends are serialized: the second frame waits for the first ACK', async () => {
    const { ep, writes } = setup();
    const other = ascii('1SE000008');
    const a = track(ep.sendFrame(DATA));
    const b = track(ep.sendFrame(other));
    await tick();
    expect(writes).toEqual([FRAME_HEX]);
    expect(ep.pendingSends).toBe(2);
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(a.state).toBe('resolved');
    expect(writes).toEqual([FRAME_HEX, hex(encodeFrame(other))]);
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(b.state).toBe('resolved');
    expect(ep.pendingSends).toBe(0);
  });

  it('a failed send does not block the queue', async () => {
    const { ep, writes } = setup({ maxSends: 1 });
    const a = track(ep.sendFrame(DATA));
    const b = track(ep.sendFrame(ascii('1SE000008')));
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.state).toBe('rejected');
    expect(writes.length).toBe(2);
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(b.state).toBe('resolved');
  });

  it('ACK/NAK while nothing is in flight are ignored', async () => {
    const { ep, writes } = setup();
    ep.receive(Uint8Array.of(0x06, 0x15, 0x06));
    await tick();
    expect(writes).toEqual([]);
    const s = track(ep.sendFrame(DATA));
    await tick();
    expect(s.state).toBe('pending'); // the stale ACKs did not count
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(s.state).toBe('resolved');
  });

  it('the ACK timeout starts when the write has completed', async () => {
    const w = deferred();
    const writes: string[] = [];
    const ep = new LinkEndpoint({
      writeBytes: (b) => {
        writes.push(hex(b));
        return writes.length === 1 ? w.promise : undefined;
      },
      onFrame: () => {},
    });
    track(ep.sendFrame(DATA));
    await vi.advanceTimersByTimeAsync(1500);
    expect(writes.length).toBe(1);
    w.resolve();
    await vi.advanceTimersByTimeAsync(999);
    expect(writes.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes.length).toBe(2);
  });

  it('a failing write rejects the send with reason write', async () => {
    const ep = new LinkEndpoint({
      writeBytes: () => Promise.reject(new Error('could not write to HID device')),
      onFrame: () => {},
    });
    const s = track(ep.sendFrame(DATA));
    await tick();
    expect(s.error).toMatchObject({ reason: 'write', sends: 1 });
    expect((s.error as Error).cause).toBeInstanceOf(Error);
  });

  it('DATA above 1024 bytes is refused', async () => {
    const { ep, writes } = setup();
    await expect(ep.sendFrame(new Uint8Array(1025))).rejects.toThrow(RangeError);
    expect(writes).toEqual([]);
  });
});

describe('LinkEndpoint receiving', () => {
  it('a good frame: onFrame, then ACK', async () => {
    const { ep, writes, frames } = setup();
    ep.receive(encodeFrame(PEER));
    await tick();
    expect(frames).toEqual(['1ST000001SS004IDLE']);
    expect(writes).toEqual(['06']);
  });

  it('ACK only after onFrame resolves', async () => {
    const d = deferred();
    const { ep, writes } = setup({ onFrame: () => d.promise });
    ep.receive(encodeFrame(PEER));
    await vi.advanceTimersByTimeAsync(5000);
    expect(writes).toEqual([]);
    d.resolve();
    await tick();
    expect(writes).toEqual(['06']);
  });

  it('no ACK when onFrame throws, rejects or returns no-ack', async () => {
    const errors: unknown[] = [];
    const behaviours = [
      () => {
        throw new Error('disk full');
      },
      () => Promise.reject(new Error('disk full')),
      () => 'no-ack' as const,
      async () => 'no-ack' as const,
    ];
    for (const onFrame of behaviours) {
      const { ep, writes } = setup({ onFrame, onFrameError: (e) => errors.push(e) });
      ep.receive(encodeFrame(PEER));
      await vi.advanceTimersByTimeAsync(100);
      expect(writes).toEqual([]);
    }
    expect(errors.length).toBe(2);
  });

  it('link errors are reported and NAKed', async () => {
    const { ep, writes, linkErrors, frames } = setup();
    const bad = encodeFrame(PEER);
    bad[bad.length - 1]! ^= 1;
    ep.receive(bad);
    ep.receive(Uint8Array.of(0x02, 0xaa));
    await tick();
    expect(linkErrors.map((e) => e.code)).toEqual(['lrc', 'length']);
    expect(writes).toEqual(['15', '15']);
    expect(frames).toEqual([]);
  });

  it('frames are handled one at a time; answers leave in order', async () => {
    const d = deferred();
    const calls: string[] = [];
    const { ep, writes } = setup({
      onFrame: (data) => {
        calls.push(String.fromCharCode(...data));
        return calls.length === 1 ? d.promise : undefined;
      },
    });
    const bad = encodeFrame(PEER);
    bad[bad.length - 1]! ^= 1;
    ep.receive(concat(encodeFrame(PEER), bad, encodeFrame(ascii('1ST000002SS004BUSY'))));
    await tick();
    expect(calls).toEqual(['1ST000001SS004IDLE']);
    expect(writes).toEqual([]); // NAK for the bad frame waits behind the owed ACK
    d.resolve();
    await tick();
    expect(calls).toEqual(['1ST000001SS004IDLE', '1ST000002SS004BUSY']);
    expect(writes).toEqual(['06', '15', '06']);
  });

  it('full duplex: a peer frame is handled while our frame waits for its ACK', async () => {
    const { ep, writes, frames } = setup();
    const s = track(ep.sendFrame(DATA));
    await tick();
    ep.receive(encodeFrame(PEER));
    await tick();
    expect(frames).toEqual(['1ST000001SS004IDLE']);
    expect(writes).toEqual([FRAME_HEX, '06']);
    expect(s.state).toBe('pending');
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(s.state).toBe('resolved');
  });

  it('a frame split over many receive calls', async () => {
    const { ep, frames, writes } = setup();
    const f = encodeFrame(PEER);
    for (const b of f) {
      ep.receive(Uint8Array.of(b));
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(frames).toEqual(['1ST000001SS004IDLE']);
    expect(writes).toEqual(['06']);
  });

  it('inter-byte timeout: a partial frame with a too-large LEN is abandoned, so the retransmission is received', async () => {
    const { ep, frames, writes } = setup();
    const corrupted = encodeFrame(PEER);
    corrupted[1] = 0x09; // LEN 918
    ep.receive(corrupted);
    await vi.advanceTimersByTimeAsync(1000); // the peer waits for its ACK timeout
    ep.receive(encodeFrame(PEER)); // and retransmits
    await tick();
    expect(frames).toEqual(['1ST000001SS004IDLE']);
    expect(writes).toEqual(['06']);
  });

  it('inter-byte timeout re-scans the bytes after the abandoned STX', async () => {
    const { ep, frames } = setup({ interByteTimeoutMs: 100 });
    const corrupted = encodeFrame(PEER);
    corrupted[1] = 0x09;
    ep.receive(concat(corrupted, encodeFrame(ascii('1ST000002SS004BUSY'))));
    await vi.advanceTimersByTimeAsync(99);
    expect(frames).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(frames).toEqual(['1ST000002SS004BUSY']);
  });

  it('reset: pending sends rejected, parser cleared, owed answers dropped', async () => {
    const d = deferred();
    const { ep, writes, frames } = setup({ onFrame: () => d.promise });
    const a = track(ep.sendFrame(DATA));
    const b = track(ep.sendFrame(ascii('1SE000008')));
    ep.receive(encodeFrame(PEER)); // its ACK is owed once onFrame resolves
    ep.receive(encodeFrame(PEER).subarray(0, 6)); // partial
    await tick();
    ep.reset();
    await tick();
    expect(a.error).toMatchObject({ reason: 'reset' });
    expect(b.error).toMatchObject({ reason: 'reset' });
    d.resolve();
    await tick();
    expect(writes).toEqual([FRAME_HEX]); // no ACK for the old connection's frame
    // the partial frame is gone: a fresh frame right after parses cleanly and is ACKed
    ep.receive(encodeFrame(ascii('1ST000003SS004IDLE')));
    await tick();
    expect(writes).toEqual([FRAME_HEX, '06']);
    expect(frames).toEqual([]); // (this setup's onFrame is the deferred one, it records nothing)
    // and sending works again
    const c = track(ep.sendFrame(DATA));
    await tick();
    ep.receive(Uint8Array.of(0x06));
    await tick();
    expect(c.state).toBe('resolved');
  });

  it('writes never overlap: an ACK waits for a slow frame write', async () => {
    const w = deferred();
    const log: string[] = [];
    let active = 0;
    const ep = new LinkEndpoint({
      writeBytes: async (b) => {
        active++;
        expect(active).toBe(1);
        log.push(`start ${hex(b).slice(0, 4)}`);
        if (b.length > 1) await w.promise;
        log.push(`end ${hex(b).slice(0, 4)}`);
        active--;
      },
      onFrame: () => {},
    });
    track(ep.sendFrame(DATA));
    await tick();
    ep.receive(encodeFrame(PEER));
    await tick();
    expect(log).toEqual(['start 0200']);
    w.resolve();
    await tick();
    expect(log).toEqual(['start 0200', 'end 0200', 'start 06', 'end 06']);
  });
});
