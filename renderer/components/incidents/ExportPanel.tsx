import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ExportFormat } from '../../../electron/contract/commands/incidents.js';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useAppStore } from '../../store/context.js';
import { useIncidents } from '../../store/incidentsContext.js';
import { incidentErrorText, localDay } from './text.js';

/**
 * The offline export: period, format, folder (the desktop's native chooser; in the browser host a
 * full path typed here, checked by the core), a progress bar with cancel, and the files it wrote.
 */
export function ExportPanel() {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const isManager = useAuth((s) => hasRole(s.status, 'manager'));
  const running = useIncidents((s) => s.exportRunning);
  const last = useIncidents((s) => s.exportLast);
  const error = useIncidents((s) => s.exportError);
  const start = useIncidents((s) => s.startExport);
  const cancel = useIncidents((s) => s.cancelExport);
  const choose = useIncidents((s) => s.choose);
  const loadStatus = useIncidents((s) => s.loadExportStatus);
  const [from, setFrom] = useState(localDay(-30));
  const [to, setTo] = useState(localDay(0));
  const [format, setFormat] = useState<'all' | 'csv' | 'json' | 'pdf'>('all');
  const [folder, setFolder] = useState('');
  const [typedOnly, setTypedOnly] = useState(false);

  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  async function pick() {
    const chosen = await choose('folder');
    if (!chosen.supported) setTypedOnly(true);
    else if (chosen.path) setFolder(chosen.path);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void start({ from, to, format, folder: folder.trim(), locale });
  }

  const pct = running && running.total > 0 ? Math.round((running.done / running.total) * 100) : running ? 0 : last?.state === 'done' ? 100 : 0;
  return (
    <section className="incident-export" data-testid="export-panel" aria-label={t('incidents.export.title')}>
      <h3>{t('incidents.export.title')}</h3>
      <p className="muted">{t('incidents.export.intro')}</p>
      {!isManager && <p className="incident-export__hint">{t('incidents.export.managerOnly')}</p>}
      <form className="filters incident-export__form" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field__label">{t('incidents.export.from')}</span>
          <input type="date" className="input" data-testid="export-from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.export.to')}</span>
          <input type="date" className="input" data-testid="export-to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.export.format')}</span>
          <select className="input" data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as 'all')}>
            {ExportFormat.options.map((f) => (
              <option key={f} value={f}>
                {t(`incidents.export.formats.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field incident-export__folder">
          <span className="field__label">{t('incidents.export.folder')}</span>
          <input className="input" data-testid="export-folder" value={folder} spellCheck={false} placeholder="/home/shop/exports" onChange={(e) => setFolder(e.target.value)} />
          <span className="muted">{typedOnly ? t('incidents.export.folderTyped') : t('incidents.export.folderHint')}</span>
        </label>
        <button type="button" className="button button--ghost" data-testid="export-choose" onClick={() => void pick()} disabled={!isManager}>
          {t('incidents.export.choose')}
        </button>
        <button type="submit" className="button button--secondary" data-testid="export-start" disabled={!isManager || running !== null || folder.trim() === ''}>
          {t('incidents.export.start')}
        </button>
      </form>
      {error && (
        <div className="banner banner--error" role="alert" data-testid="export-error" data-code={error.code}>
          <span className="banner__text">{incidentErrorText(t, error)}</span>
        </div>
      )}
      {(running || last) && (
        <div className="incident-export__progress">
          <progress
            data-testid="export-progress"
            max={100}
            value={pct}
            data-done={running?.done ?? last?.incidents ?? 0}
            data-total={running?.total ?? last?.incidents ?? 0}
            data-phase={running?.phase ?? last?.state ?? ''}
            aria-label={running ? t('incidents.export.running', { done: running.done, total: running.total }) : undefined}
          />
          <span>{running ? t('incidents.export.running', { done: running.done, total: running.total }) : `${pct}%`}</span>
          {running && (
            <button type="button" className="button button--ghost" data-testid="export-cancel" onClick={() => void cancel()}>
              {t('incidents.export.cancel')}
            </button>
          )}
        </div>
      )}
      {!running && last && (
        <div className="incident-export__result" data-testid="export-result" data-state={last.state} data-folder={last.folder ?? ''}>
          {last.state === 'done' && <p>{t('incidents.export.done', { n: last.incidents, folder: last.folder ?? '' })}</p>}
          {last.state === 'cancelled' && <p>{t('incidents.export.cancelled')}</p>}
          {last.state === 'failed' && last.error && <p className="incident-export__failed">{t('incidents.export.failed', { message: incidentErrorText(t, last.error) })}</p>}
          {last.files.length > 0 && (
            <>
              <h4>{t('incidents.export.files')}</h4>
              <ul className="incident-list-plain incident-mono">
                {last.files.map((f) => (
                  <li key={f.name} data-testid="export-file" data-name={f.name} data-sha256={f.sha256}>
                    {f.name} · {f.bytes} B · {f.sha256}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
