/**
 * One sound cue per flag kind, generated with Web Audio (no audio files). Each cue has its own
 * rhythm and pitch so a cashier who is looking elsewhere can tell them apart.
 */
import type { Charge, FlagKind } from '../../electron/contract/schemas.js';

/** Volume steps the cashier can pick (0 = off). */
export const VOLUMES = [0, 0.25, 0.5, 1] as const;
export type Volume = (typeof VOLUMES)[number];
export const DEFAULT_VOLUME: Volume = 0.5;
export const VOLUME_STORAGE_KEY = 'countersign.soundVolume';

interface Note {
  /** Hz */
  freq: number;
  /** Start, seconds after the cue starts. */
  at: number;
  /** Seconds. */
  dur: number;
  wave: OscillatorType;
}

/** The cues, as notes. Exported so a test can check each kind has its own. */
export const CUES: Record<FlagKind, readonly Note[]> = {
  // Two quick high beeps: "twice".
  possible_duplicate: [
    { freq: 880, at: 0, dur: 0.12, wave: 'sine' },
    { freq: 880, at: 0.2, dur: 0.12, wave: 'sine' },
  ],
  // Falling steps: "too many zeros".
  digit_slip: [
    { freq: 988, at: 0, dur: 0.1, wave: 'triangle' },
    { freq: 784, at: 0.12, dur: 0.1, wave: 'triangle' },
    { freq: 587, at: 0.24, dur: 0.16, wave: 'triangle' },
  ],
  // One long low tone: "look at this".
  unusual_amount: [{ freq: 330, at: 0, dur: 0.45, wave: 'sine' }],
  // A buzz: "does not match".
  rekey_mismatch: [
    { freq: 196, at: 0, dur: 0.18, wave: 'square' },
    { freq: 196, at: 0.24, dur: 0.18, wave: 'square' },
  ],
};

const GAP_S = 0.15;

function cueLength(kind: FlagKind): number {
  return Math.max(...CUES[kind].map((n) => n.at + n.dur));
}

/** Flag kinds `next` carries that `previous` (the same charge, as last seen) did not. */
export function newFlagKinds(previous: Charge | undefined, next: Charge): FlagKind[] {
  const before = new Set(previous?.flags.map((f) => f.kind) ?? []);
  const out: FlagKind[] = [];
  for (const f of next.flags) if (!before.has(f.kind) && !out.includes(f.kind)) out.push(f.kind);
  return out;
}

export interface CuePlayer {
  /** Plays one cue per kind, one after the other, at `volume` (0..1). */
  play(kinds: readonly FlagKind[], volume: number): void;
}

type AudioContextCtor = new () => AudioContext;

/** The real player. Silently does nothing where Web Audio is missing or refuses to start. */
export function webAudioPlayer(): CuePlayer {
  let context: AudioContext | null = null;
  return {
    play(kinds, volume) {
      if (kinds.length === 0 || volume <= 0) return;
      const Ctor = (globalThis as { AudioContext?: AudioContextCtor }).AudioContext;
      if (!Ctor) return;
      try {
        context ??= new Ctor();
        if (context.state === 'suspended') void context.resume().catch(() => undefined);
        let start = context.currentTime + 0.02;
        for (const kind of kinds) {
          for (const note of CUES[kind]) {
            const osc = context.createOscillator();
            const gain = context.createGain();
            osc.type = note.wave;
            osc.frequency.value = note.freq;
            const t0 = start + note.at;
            const level = 0.3 * Math.min(1, volume);
            gain.gain.setValueAtTime(0, t0);
            gain.gain.linearRampToValueAtTime(level, t0 + 0.01);
            gain.gain.setValueAtTime(level, t0 + note.dur - 0.03);
            gain.gain.linearRampToValueAtTime(0, t0 + note.dur);
            osc.connect(gain).connect(context.destination);
            osc.start(t0);
            osc.stop(t0 + note.dur + 0.01);
          }
          start += cueLength(kind) + GAP_S;
        }
      } catch {
        // No sound is better than a broken counter.
      }
    },
  };
}

export function isVolume(v: unknown): v is Volume {
  return typeof v === 'number' && (VOLUMES as readonly number[]).includes(v);
}

export function loadVolume(): Volume {
  try {
    const stored = Number(globalThis.localStorage?.getItem(VOLUME_STORAGE_KEY) ?? Number.NaN);
    return isVolume(stored) ? stored : DEFAULT_VOLUME;
  } catch {
    return DEFAULT_VOLUME;
  }
}

export function saveVolume(v: Volume): void {
  try {
    globalThis.localStorage?.setItem(VOLUME_STORAGE_KEY, String(v));
  } catch {
    // storage blocked: the choice lasts for this session
  }
}
