/**
 * The export from the screens: one at a time, in the background, into a new folder (named by us)
 * inside the folder the manager chose; progress and the end are pushed to every screen, a cancel
 * removes what was written, and a finished export is audited (who, what period, the manifest's hash).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/api.js';
import type { ExportFinished, ExportProgress } from '../contract/commands/incidents.js';
import { ExportError, checkExportFolder, exportIncidents, prepareExportDir, type ExportFormatName } from '../export/exportIncidents.js';
import type { ExportLocale } from '../export/labels.js';
import { MANIFEST_NAME } from '../export/manifest.js';
import { fileTimestamp } from '../ledger/migrations.js';
import type { Ledger } from '../ledger/ledger.js';
import type { EventHub } from './events.js';
import type { Logger } from './logger.js';
import { APP_VERSION } from './version.js';

/** Progress is pushed at most this often (and at every phase change). */
const PROGRESS_MS = 100;

export interface ExportRequest {
  from: string;
  to: string;
  format: 'csv' | 'json' | 'pdf' | 'all';
  folder: string;
  locale: ExportLocale;
}

export function formatsOf(format: ExportRequest['format']): ExportFormatName[] {
  return format === 'all' ? ['csv', 'json', 'pdf'] : [format];
}

export class ExportService {
  private running: { id: string; abort: AbortController; progress: ExportProgress; done: Promise<void> } | null = null;
  private last: ExportFinished | null = null;

  constructor(
    private readonly ledger: Ledger,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private readonly clock: () => Date,
  ) {}

  status(): { running: ExportProgress | null; last: ExportFinished | null } {
    return { running: this.running?.progress ?? null, last: this.last };
  }

  /** Checks the request and starts the export; resolves with its id once it runs. */
  async start(request: ExportRequest, actor: string): Promise<{ exportId: string; done: Promise<void> }> {
    if (this.running) throw new ApiError('export.busy', 'An export is already running: wait for it or cancel it.', { exportId: this.running.id });
    if (request.from > request.to) throw new ApiError('export.invalid_dates', `The first date ${request.from} is after the last ${request.to}.`, { from: request.from, to: request.to });
    let dir: string;
    try {
      const folder = await checkExportFolder(request.folder);
      const name = `countersign-incidents-${request.from}_${request.to}-${fileTimestamp(this.clock())}`;
      dir = (await prepareExportDir(path.join(folder, name))).dir;
    } catch (error) {
      if (error instanceof ExportError) throw new ApiError(error.code, error.message, error.params);
      throw error;
    }
    const exportId = randomBytes(8).toString('hex');
    const abort = new AbortController();
    const progress: ExportProgress = { exportId, phase: 'counting', done: 0, total: 0 };
    let lastPush = 0;
    const push = (p: Omit<ExportProgress, 'exportId'>, force = false) => {
      const phaseChanged = p.phase !== progress.phase;
      Object.assign(progress, p);
      const now = Date.now();
      if (force || phaseChanged || now - lastPush >= PROGRESS_MS) {
        lastPush = now;
        this.hub.emit({ name: 'export.progress', payload: { ...progress } });
      }
    };
    const done = (async () => {
      let finished: ExportFinished;
      try {
        const result = await exportIncidents({
          dbFile: this.ledger.file,
          from: request.from,
          to: request.to,
          formats: formatsOf(request.format),
          dir,
          locale: request.locale,
          generator: `Countersign ${APP_VERSION}`,
          signal: abort.signal,
          progressEvery: 200,
          now: this.clock,
          onProgress: (p) => push(p),
        });
        push({ phase: 'finishing', done: result.incidents, total: result.incidents }, true);
        const manifestSha = createHash('sha256').update(await fsp.readFile(path.join(dir, MANIFEST_NAME))).digest('hex');
        const files = [...result.files, { name: MANIFEST_NAME, sha256: manifestSha, bytes: (await fsp.stat(path.join(dir, MANIFEST_NAME))).size }];
        this.ledger.appendAudit(actor, 'incidents.exported', 'export', exportId, {
          from: request.from,
          to: request.to,
          formats: formatsOf(request.format),
          incidents: result.incidents,
          folder: dir,
          manifestSha256: manifestSha,
          auditHeadSeq: result.manifest.ledger.auditHead?.seq ?? 0,
        });
        finished = { exportId, state: 'done', folder: dir, files, incidents: result.incidents, error: null };
        this.log.info('export.done', { exportId, incidents: result.incidents, folder: dir });
      } catch (error) {
        const e = error instanceof ExportError ? error : new ExportError('export.failed', (error as Error).message);
        const state = e.code === 'export.cancelled' ? 'cancelled' : 'failed';
        // Our folder: nothing of it stays behind (the files were removed by the export).
        await fsp.rmdir(dir).catch(() => undefined);
        finished = { exportId, state, folder: null, files: [], incidents: 0, error: { code: e.code, message: e.message, params: e.params } };
        if (state === 'failed') this.log.error('export.failed', { exportId, code: e.code, message: e.message });
      }
      this.last = finished;
      this.running = null;
      this.hub.emit({ name: 'export.finished', payload: finished });
    })();
    this.running = { id: exportId, abort, progress, done };
    push({ phase: 'counting', done: 0, total: 0 }, true);
    return { exportId, done };
  }

  cancel(exportId: string): boolean {
    if (!this.running || this.running.id !== exportId) return false;
    this.running.abort.abort();
    return true;
  }

  /** Waits for a running export (core shutdown, tests). */
  async idle(): Promise<void> {
    await this.running?.done;
  }
}
