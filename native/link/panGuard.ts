/**
 * Card-data guard (spec sections 4 and 5, PCI DSS 3.3 / 3.4).
 *
 * - `PN` may show digits only in its first 6 and last 4 positions (so at most 10 digits).
 * - Nothing in DATA may look like track data: track 1 `%B<digits>^`, track 2 `;<12..19 digits>=`.
 * - No field value (other than a fixed-length all-digit field such as AM or DT that has exactly its
 *   form) may hold a digit run that looks like a PAN (single spaces or dashes between digits count
 *   as part of the run): a maximal run of digits which, after
 *   leading zeros, is 13..19 digits long and passes the Luhn check. (Leading zeros are skipped
 *   because no PAN starts with 0 and EMV AIDs such as A000000333010106 contain zero-led runs that
 *   would otherwise pass Luhn.)
 *
 * Details returned here name the field and the rule, NEVER the digits or the value: they contain
 * no digit at all ("first six", "track-one"), so a log reader can never mistake one for card data.
 */

/** Luhn check of the digits in `s[from..to)` (all must be ASCII digits). */
export function luhnValid(s: string, from = 0, to = s.length): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = to - 1; i >= from; i--) {
    let d = s.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The PN masking rule on `s[from..to)`: digits only in the first 6 and the last 4 positions.
 * Returns a detail (without digits) when violated, else null.
 */
export function checkMaskedPan(s: string, from = 0, to = s.length): string | null {
  const len = to - from;
  let visible = 0;
  let misplaced = false;
  for (let i = 0; i < len; i++) {
    if (isDigit(s.charCodeAt(from + i))) {
      visible++;
      if (i >= 6 && i < len - 4) misplaced = true;
    }
  }
  if (visible > 10) return 'PN shows more digits than the first six and last four that may be visible';
  if (misplaced) return 'PN shows digits outside the first six and last four positions';
  return null;
}

/**
 * A maximal digit run in `s[from..to)` that looks like a PAN (13..19 digits after leading zeros,
 * Luhn valid). A single space or dash between two digits continues the run: "4111 1111 1111 1111"
 * and "4111-1111-…" are card numbers as much as the bare digits are.
 */
export function hasPanLikeRun(s: string, from = 0, to = s.length): boolean {
  let i = from;
  while (i < to) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    let count = 0;
    let spaced = false;
    for (;;) {
      if (j < to && isDigit(s.charCodeAt(j))) {
        count++;
        j++;
        continue;
      }
      const c = j < to ? s.charCodeAt(j) : -1;
      if ((c === 32 || c === 45) && j + 1 < to && isDigit(s.charCodeAt(j + 1))) {
        spaced = true;
        j++;
        continue;
      }
      break;
    }
    // i..j is a maximal run (digits and single separators)
    if (count >= 13) {
      const digits = spaced ? s.slice(i, j).replace(/[ -]/g, '') : s;
      const a = spaced ? 0 : i;
      const b = spaced ? digits.length : j;
      let k = a;
      while (k < b && digits.charCodeAt(k) === 48) k++;
      const n = b - k;
      if (n >= 13 && n <= 19 && luhnValid(digits, k, b)) return true;
    }
    i = j;
  }
  return false;
}

const TRACK1_RE = /%B[0-9]+\^/;
const TRACK2_RE = /;[0-9]{12,19}=/;

/** Detail naming the kind of track data found in `text`, or null. */
export function findTrackData(text: string): string | null {
  if (text.indexOf('%B') >= 0 && TRACK1_RE.test(text)) return 'DATA contains what looks like track-one (magnetic stripe) data';
  if (text.indexOf(';') >= 0 && TRACK2_RE.test(text)) return 'DATA contains what looks like track-two (magnetic stripe) data';
  return null;
}

/** One field as seen by the guard: the tag and where its value lies in `text`. */
export interface GuardField {
  tag: string;
  start: number;
  end: number;
  /** A fixed-length all-digit field whose value has exactly that form: exempt from the Luhn rule. */
  exempt: boolean;
}

/**
 * Run the whole guard over a message. `text` is DATA read as latin1 (or any string in which the
 * field values lie at the given offsets). Returns a digit-free detail if card data is exposed.
 */
export function guardMessage(text: string, fields: readonly GuardField[]): string | null {
  const track = findTrackData(text);
  if (track) return track;
  for (const f of fields) {
    if (f.tag === 'PN') {
      const d = checkMaskedPan(text, f.start, f.end);
      if (d) return d;
      continue;
    }
    if (!f.exempt && f.end - f.start >= 13 && hasPanLikeRun(text, f.start, f.end)) {
      return `field ${f.tag} holds a digit run that looks like a card number`;
    }
  }
  return null;
}

/**
 * Between two digits of one card number in a log line: a single space, dash, dot, underscore or
 * slash ("4111 1111 …", "4111-1111-…", "4111.1111.…"): the same separators the PAN canary scan
 * looks through, so what the scrubber leaves the scan cannot call a card number.
 */
const SEP = '[ \\-._/]';
/** Track 1: `%B` then the card number (separators allowed), up to the `^` name/expiry part and `?`. */
const TRACK1_LOG_RE = new RegExp(`%B[0-9](?:${SEP}?[0-9])*(?:\\^[^?]*\\??)?`, 'g');
/** Track 2: `;` then the card number (separators allowed), `=`, expiry/service/discretionary digits, `?`. */
const TRACK2_LOG_RE = new RegExp(`;[0-9](?:${SEP}?[0-9]){11,18}=[0-9]*\\??`, 'g');
/** A run of 12 or more digits, a single separator allowed between any two of them. */
const DIGIT_RUN_RE = new RegExp(`[0-9](?:${SEP}?[0-9]){11,}`, 'g');

/**
 * The one card-data scrubber for every log line (the core's log file, the terminal session's log,
 * the decoder's and the simulator's diagnostics). Track-data-like segments (`%B…^…?`, `;…=…?`) are
 * removed; every run of 12 or more digits — a card number is 12 to 19, but one glued to other digits
 * is longer — Luhn-valid or not, with single separators (space, dash, dot, underscore, slash)
 * counted as part of the run, is replaced by asterisks keeping only its last 4 digits (never more
 * than the first 6 and last 4 that may be shown).
 */
export function scrubCardData(text: string): string {
  let out = text;
  if (out.indexOf('%B') >= 0) out = out.replace(TRACK1_LOG_RE, '[track data removed]');
  if (out.indexOf(';') >= 0) out = out.replace(TRACK2_LOG_RE, '[track data removed]');
  return out.replace(DIGIT_RUN_RE, (run) => {
    const digits = run.replace(/[^0-9]/g, '');
    return '*'.repeat(digits.length - 4) + digits.slice(-4);
  });
}

/** The log scrubber under the name its first callers use: the same function, one rule. */
export const maskForLog = scrubCardData;
