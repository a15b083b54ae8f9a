/**
 * The host-side receive pipeline (used by `countersign decode`): input reports -> byte stream ->
 * frames -> messages, plus what the host would answer (ACK / NAK).
 *
 * Event order:
 * - a frame good at the link level (LRC ok): the message is judged first -> `message` or a
 *   message-level `error` (format / missing-field / duplicate-field / pan-unmasked), THEN
 *   `send 06` (the ACK goes out after the message was handled, even when it is rejected);
 * - a frame bad at the link level: `error` (lrc / length / etx), THEN `send 15`;
 * - a bad report: `error` code `report`, no send, its bytes are dropped;
 * - ACK / NAK bytes from the terminal and noise: no event.
 *
 * `duplicate` is true when a CH's (TI, BT, TR), or for other types the (type, SEQ), was already
 * seen in a valid message of this run.
 */
import { decodeMessage, type ResponseContext } from './codec.js';
import { FrameParser, type FrameEvent } from './framing.js';
import { maskForLog } from './panGuard.js';
import { reportToBytes } from './reassembly.js';
import { MAX_REPORT_DATA, REPORT_SIZE, type LinkErrorCode, type MessageType } from './types.js';

export type DecodeEvent =
  | { event: 'send'; hex: '06' | '15' }
  | { event: 'message'; type: MessageType; seq: string; fields: Record<string, string>; duplicate: boolean }
  | { event: 'error'; code: LinkErrorCode; detail: string };

export interface HostDecoderOptions {
  /** What RS messages answer, if known (makes the type-specific response fields required). */
  responseContext?: ResponseContext;
}

export class HostDecoder {
  private readonly parser = new FrameParser();
  private readonly seen = new Set<string>();
  private readonly ctx: ResponseContext | undefined;

  constructor(options: HostDecoderOptions = {}) {
    this.ctx = options.responseContext;
  }

  /** Noise bytes skipped so far. */
  get noiseBytes(): number {
    return this.parser.noiseBytes;
  }

  pushReport(report: Uint8Array): DecodeEvent[] {
    // Fast path for a well-formed report (no view, no result object); everything else goes
    // through reportToBytes, which also handles short reports and produces the error detail.
    const len = report.length;
    const n = len > 0 ? report[0]! : 0;
    if (n >= 1 && n <= MAX_REPORT_DATA && len > n && len <= REPORT_SIZE) {
      return this.handle(this.parser.push(report, 1, n + 1));
    }
    const r = reportToBytes(report);
    if (!r.ok) return [{ event: 'error', code: 'report', detail: r.detail }];
    return this.handle(this.parser.push(r.bytes));
  }

  /** Bytes already taken out of reports. */
  pushBytes(bytes: Uint8Array): DecodeEvent[] {
    return this.handle(this.parser.push(bytes));
  }

  /** End of input: a partial frame is abandoned; complete frames after its STX still count. */
  end(): DecodeEvent[] {
    return this.handle(this.parser.flushAtEnd());
  }

  private handle(frameEvents: FrameEvent[]): DecodeEvent[] {
    const out: DecodeEvent[] = [];
    for (const fe of frameEvents) {
      if (fe.kind === 'frame') {
        const d = decodeMessage(fe.data, this.ctx);
        if (d.ok) {
          const m = d.message;
          const f = m.fields;
          const key = m.type === 'CH' ? `CH ${f.TI} ${f.BT} ${f.TR}` : `${m.type} ${m.seq}`;
          const duplicate = this.seen.has(key);
          if (!duplicate) this.seen.add(key);
          out.push({ event: 'message', type: m.type, seq: m.seq, fields: f, duplicate });
        } else {
          out.push({ event: 'error', code: d.code, detail: maskForLog(d.detail) });
        }
        out.push({ event: 'send', hex: '06' });
      } else if (fe.kind === 'error') {
        out.push({ event: 'error', code: fe.code, detail: maskForLog(fe.detail) });
        out.push({ event: 'send', hex: '15' });
      }
      // ack / nak from the terminal: nothing to print
    }
    return out;
  }
}
