/** What one bench run measures, and how much of it (the defaults are the sizes). */

export interface BenchOptions {
  /** Charges in the scale ledger (the issue: 1,000,000). */
  scaleCharges: number;
  /** Incidents in it, for the incident search and the export (the issue: 100,000). */
  scaleIncidents: number;
  /** Charges timed from the terminal to the screen (the issue: ≥ 500). */
  pixelsCharges: number;
  /** Charges in the history for the heap and keypress figures (the issue: 50,000). */
  historyCharges: number;
  /** Keypresses timed on the counter. */
  keypresses: number;
  /** Cold starts of the browser host. */
  startRuns: number;
  /** The flood (issue #7): charges per second, for how long. */
  floodRate: number;
  floodSeconds: number;
  /** Runs of each scale query. */
  queryRuns: number;
}

export const FULL: BenchOptions = {
  scaleCharges: 1_000_000,
  scaleIncidents: 100_000,
  pixelsCharges: 500,
  historyCharges: 50_000,
  keypresses: 200,
  startRuns: 5,
  floodRate: 1000,
  floodSeconds: 60,
  queryRuns: 200,
};

/** `--quick`: every part at a small size, to check the bench itself works (figures not comparable). */
export const QUICK: BenchOptions = {
  scaleCharges: 20_000,
  scaleIncidents: 2_000,
  pixelsCharges: 40,
  historyCharges: 2_000,
  keypresses: 30,
  startRuns: 2,
  floodRate: 200,
  floodSeconds: 5,
  queryRuns: 30,
};

export const PARTS = ['limits', 'decode', 'ledger', 'pixels', 'startup', 'history', 'flood'] as const;
export type PartName = (typeof PARTS)[number];

export function isPartName(name: string): name is PartName {
  return (PARTS as readonly string[]).includes(name);
}
