/**
 * The dispute-ready PDF: a summary page, then one page (or more, when the timeline is long) per
 * incident with what an acquirer asks for under Visa 12.5 / 12.6 and Mastercard 4834 — the
 * receipt's data, the amounts, the dates, the proof of the void/refund/transfer, the recovery
 * trail and who did what. Drawn with the CJK font (Chinese renders), streamed page by page.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { currencyInfo } from '../domain/currency.js';
import { minorToDecimalString } from '../domain/money.js';
import type { CjkFont } from '../printing/cjkFont.js';
import { exportLabels, fill, type ExportLabels, type ExportLocale } from './labels.js';
import type { ExportIncident } from './model.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 42;
const LABEL_WIDTH = 130;

type Doc = PDFKit.PDFDocument;

export interface PdfSummary {
  from: string;
  to: string;
  generatedAt: Date;
  timeZone: string;
  auditHead: { seq: number; hash: string } | null;
  count: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  money: { currency: string | null; chargedMinor: number; owedMinor: number; returnedMinor: number; suspenseMinor: number; outstandingMinor: number }[];
}

/** "CNY 1,152.00" (exact: grouping done on the digits, no float). */
export function moneyText(minor: number | null, currency: string | null): string {
  if (minor === null) return '—';
  const info = currencyInfo(currency);
  const plain = minorToDecimalString(minor, info?.digits ?? 2);
  const negative = plain.startsWith('-');
  const [whole, fraction] = (negative ? plain.slice(1) : plain).split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${info?.alpha ?? currency ?? ''} ${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`.trim();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 UTC → local "YYYY-MM-DD hh:mm:ss". */
export function localTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Terminal time YYYYMMDDhhmmss → "YYYY-MM-DD hh:mm:ss". */
export function terminalTime(t: string | null): string {
  if (!t || !/^\d{14}$/.test(t)) return t ?? '—';
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

function boldVariant(font: CjkFont): { file: string; name: string } | null {
  const file = path.join(path.dirname(font.file), 'NotoSansCJK-Bold.ttc');
  return existsSync(file) ? { file, name: 'NotoSansCJKsc-Bold' } : null;
}

/** Draws the export's pages onto `doc` (created by the caller, who streams its output). */
export class IncidentPdf {
  private readonly t: ExportLabels;
  private readonly regular: { file: string; name: string };
  private readonly bold: { file: string; name: string };
  private pageNo = 0;
  private footer = '';

  constructor(
    private readonly doc: Doc,
    private readonly font: CjkFont,
    locale: ExportLocale,
  ) {
    this.t = exportLabels(locale);
    // A proportional face reads better than the receipt's monospaced one, when the collection has it.
    this.regular = font.file.endsWith('.ttc') ? { file: font.file, name: 'NotoSansCJKsc-Regular' } : { file: font.file, name: font.postscriptName };
    this.bold = boldVariant(font) ?? this.regular;
    doc.on('pageAdded', () => this.drawFooter());
  }

  static documentOptions(title: string, createdAt: Date): PDFKit.PDFDocumentOptions {
    return {
      size: A4,
      margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN },
      autoFirstPage: false,
      bufferPages: false,
      info: { Title: title, Producer: 'Countersign', Creator: 'Countersign', CreationDate: createdAt },
    };
  }

  /** Characters the font cannot draw become '?', so nothing is silently an empty box. */
  private safe(text: string): string {
    const missing = this.font.missing(text);
    if (missing.length === 0) return text;
    let out = '';
    for (const ch of text) out += missing.includes(ch) ? '?' : ch;
    return out;
  }

  private drawFooter(): void {
    this.pageNo++;
    const doc = this.doc;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const saveY = doc.y;
    doc
      .font(this.regular.file, this.regular.name)
      .fontSize(7)
      .fillColor('#666')
      .text(this.safe(`${this.footer} · ${fill(this.t.page, { n: this.pageNo })}`), MARGIN, doc.page.height - MARGIN + 4, {
        width: doc.page.width - 2 * MARGIN,
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
    doc.x = MARGIN;
    doc.y = saveY;
    doc.fillColor('#000');
  }

  private get width(): number {
    return this.doc.page.width - 2 * MARGIN;
  }

  private ensure(space: number): void {
    if (this.doc.y + space > this.doc.page.height - this.doc.page.margins.bottom) this.doc.addPage();
  }

  private heading(text: string, size = 15): void {
    this.ensure(size * 2);
    this.doc.font(this.bold.file, this.bold.name).fontSize(size).fillColor('#000').text(this.safe(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  private section(title: string): void {
    this.ensure(40);
    this.doc.moveDown(0.4);
    const y = this.doc.y;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + this.width, y).lineWidth(0.5).strokeColor('#999').stroke();
    this.doc.y = y + 4;
    this.doc.font(this.bold.file, this.bold.name).fontSize(10.5).fillColor('#000').text(this.safe(title), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.15);
  }

  private kv(label: string, value: string): void {
    this.ensure(14);
    const doc = this.doc;
    const y = doc.y;
    doc.font(this.regular.file, this.regular.name).fontSize(8.5).fillColor('#555').text(this.safe(label), MARGIN, y, { width: LABEL_WIDTH - 6 });
    const afterLabel = doc.y;
    doc.fillColor('#000').text(this.safe(value || '—'), MARGIN + LABEL_WIDTH, y, { width: this.width - LABEL_WIDTH });
    doc.y = Math.max(afterLabel, doc.y);
  }

  private para(text: string, color = '#000', size = 8.5): void {
    this.ensure(14);
    this.doc.font(this.regular.file, this.regular.name).fontSize(size).fillColor(color).text(this.safe(text), MARGIN, this.doc.y, { width: this.width });
  }

  summary(s: PdfSummary): void {
    const t = this.t;
    this.footer = `Countersign · ${t.title} · ${s.from} – ${s.to}`;
    this.doc.addPage();
    this.heading(t.title, 18);
    this.heading(t.summaryTitle, 13);
    this.kv(t.period, `${s.from} – ${s.to}`);
    this.kv(t.generatedAt, localTime(s.generatedAt.toISOString()));
    this.kv(t.timeZone, s.timeZone);
    this.kv(t.auditHead, s.auditHead ? `#${s.auditHead.seq} ${s.auditHead.hash}` : t.none);
    this.kv(t.count, String(s.count));
    this.section(t.byKind);
    for (const [kind, n] of Object.entries(s.byKind)) this.kv(t.kind[kind as keyof ExportLabels['kind']] ?? kind, String(n));
    this.section(t.byStatus);
    for (const [status, n] of Object.entries(s.byStatus)) this.kv(t.status[status as keyof ExportLabels['status']] ?? status, String(n));
    this.section(t.moneyTotals);
    for (const m of s.money) {
      this.para(currencyInfo(m.currency)?.alpha ?? m.currency ?? t.none, '#000', 9);
      this.kv(t.charged, moneyText(m.chargedMinor, m.currency));
      this.kv(t.owed, moneyText(m.owedMinor, m.currency));
      this.kv(t.returned, moneyText(m.returnedMinor, m.currency));
      this.kv(t.suspense, moneyText(m.suspenseMinor, m.currency));
      this.kv(t.outstanding, moneyText(m.outstandingMinor, m.currency));
    }
  }

  incident(i: ExportIncident): void {
    const t = this.t;
    const money = (minor: number | null) => moneyText(minor, i.currency);
    this.doc.addPage();
    this.heading(`${fill(t.incidentTitle, { id: i.id })} · ${t.kind[i.kind as keyof ExportLabels['kind']] ?? i.kind}`);
    this.kv(t.statusLine, t.status[i.status as keyof ExportLabels['status']] ?? i.status);
    this.kv(t.causeLine, i.cause ? (t.cause[i.cause] ?? i.cause) : t.none);
    this.kv(t.opened, `${localTime(i.createdAt)} · ${t.by} ${i.createdBy}`);
    this.kv(t.disputeReasons, t.reason[i.kind as keyof ExportLabels['reason']] ?? t.reason.other);

    for (const tx of i.transactions) {
      this.section(tx.role === 'original' ? t.transaction : `${t.related} (${t.relatedRole[tx.role]})`);
      this.kv(t.merchantId, tx.merchantId);
      this.kv(t.terminalId, tx.terminalId);
      this.kv(`${t.batch} / ${t.trace}`, `${tx.batch} / ${tx.trace}`);
      this.kv(t.rrn, tx.rrn);
      this.kv(t.authCode, tx.authCode);
      this.kv(t.card, `${tx.panMasked}${tx.brand ? ` (${tx.brand})` : ''} · ${t.entryMode} ${tx.entryMode}`);
      this.kv(t.terminalTime, terminalTime(tx.terminalTime));
      this.kv(t.charged, moneyText(tx.amountMinor, tx.currency));
      this.kv(t.chargeStatus, t.chargeStatusName[tx.status] ?? tx.status);
    }
    if (i.settlementId !== null) this.kv(t.settlement, `#${i.settlementId}`);

    this.section(t.amounts);
    this.kv(t.charged, money(i.amounts.chargedMinor));
    this.kv(t.intended, money(i.amounts.intendedMinor));
    this.kv(t.difference, money(i.amounts.differenceMinor));
    this.kv(t.owed, money(i.amounts.owedMinor));
    this.kv(t.returned, money(i.amounts.returnedMinor));
    this.kv(t.suspense, money(i.amounts.suspenseMinor));
    this.kv(t.outstanding, money(i.amounts.outstandingMinor));

    this.section(t.resolution);
    const r = i.resolution;
    if (r.proposal) this.kv(t.proposed, `${t.resolutionType[r.proposal] ?? r.proposal} ${money(r.proposalMinor)}${r.proposalNote ? ` — ${r.proposalNote}` : ''}`);
    if (r.rejectionReason) this.kv(t.rejected, r.rejectionReason);
    if (r.resolvedAt) this.kv(t.resolvedAt, `${localTime(r.resolvedAt)} · ${t.by} ${r.resolvedBy ?? ''}`);
    if (i.contactMasked) this.kv(t.customer, i.contactMasked);

    this.section(t.proof);
    let proofs = 0;
    for (const a of i.adjustments) {
      proofs++;
      this.para(
        fill(t.adjustment, {
          kind: t.adjustmentKind[a.kind] ?? a.kind,
          id: a.id,
          state: a.state,
          rc: a.rc ?? '—',
          amount: moneyText(a.amountMinor, a.currency),
          trace: a.trace ?? '—',
          rrn: a.rrn ?? '—',
          auth: a.authCode ?? '—',
          time: a.terminalTime ? terminalTime(a.terminalTime) : localTime(a.resolvedAt ?? a.requestedAt),
          actor: a.requestedBy,
        }),
      );
    }
    for (const e of i.timeline) {
      const method = typeof e.data.method === 'string' ? e.data.method : null;
      if ((e.action === 'execute' || e.action === 'pay_out') && method && method !== 'adjustment') {
        proofs++;
        this.para(
          fill(t.transferLine, {
            method: t.method[method] ?? method,
            amount: money(e.amountMinor),
            reference: typeof e.data.reference === 'string' && e.data.reference ? e.data.reference : '—',
            time: localTime(e.at),
            actor: e.actor,
          }),
        );
      }
    }
    if (proofs === 0) this.para(t.noProof, '#555');

    this.section(t.recovery);
    const attempts = i.timeline.filter((e) => e.action === 'contact_attempt');
    if (attempts.length === 0) this.para(t.noContact, '#555');
    for (const e of attempts) {
      const channel = String(e.data.channel ?? '');
      const outcome = String(e.data.outcome ?? '');
      this.para(`${fill(t.contactLine, { time: localTime(e.at), channel: t.channel[channel] ?? channel, outcome: t.outcome[outcome] ?? outcome })}${e.note ? ` — ${e.note}` : ''} · ${e.actor}`);
    }

    this.section(t.timeline);
    for (const e of i.timeline) {
      const amount = e.amountMinor !== null ? ` ${money(e.amountMinor)}` : '';
      this.para(`${localTime(e.at)}  ${e.actor}  ${t.action[e.action] ?? e.action}${amount}${e.note ? ` — ${e.note}` : ''}`);
    }

    if (i.rootCause || i.prevention) {
      this.section(`${t.rootCause} / ${t.prevention}`);
      this.kv(t.rootCause, i.rootCause ?? t.none);
      this.kv(t.prevention, `${i.prevention ? (t.preventionType[i.prevention] ?? i.prevention) : t.none}${i.preventionNote ? ` — ${i.preventionNote}` : ''}`);
    }
    if (i.evidence.length > 0) {
      this.section(t.evidence);
      for (const ev of i.evidence) this.para(`${ev.originalName} · ${ev.sizeBytes} B · ${ev.sha256}`, '#000', 7.5);
    }
    if (i.note) {
      this.section(t.note);
      this.para(i.note);
    }
  }
}
