import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useDataDir } from '../../store/dataDirContext.js';
import { describeSetupError } from './setupText.js';

/**
 * The data folder: where it is and why (a start option pins it; else location.json or the
 * default), and "Move data to…" with its progress, its result and the restart it needs.
 */
export function DataDirPanel({ prefix, fallback }: { prefix: string; fallback: string }) {
  const { t } = useTranslation();
  const state = useDataDir((s) => s.state);
  const busy = useDataDir((s) => s.busy);
  const progress = useDataDir((s) => s.progress);
  const error = useDataDir((s) => s.error);
  const offerExisting = useDataDir((s) => s.offerExisting);
  const move = useDataDir((s) => s.move);
  const restart = useDataDir((s) => s.restart);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const [folder, setFolder] = useState('');
  const moved = state?.moved ?? null;

  return (
    <div className="setup-datadir">
      <code className="settings__path" data-testid={`${prefix}-data-dir`}>
        {state?.dataDir ?? fallback}
      </code>
      {state && (
        <p className="muted" data-testid={`${prefix}-data-source`} data-source={state.source} data-pinned={state.pinned ? 'true' : 'false'}>
          {t(`datadir.source.${state.source}`, { file: state.locationFile ?? '' })}
        </p>
      )}
      {state?.locationProblem && (
        <p className="setup-form__error" role="alert">
          {t('datadir.locationProblem', { file: state.locationFile ?? '', reason: state.locationProblem })}
        </p>
      )}
      {state && !state.pinned && !moved && (
        <form
          className="setup-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void move(folder.trim());
          }}
        >
          <label className="field setup-form__wide">
            <span className="field__label">{t('datadir.move.label')}</span>
            <input
              className="input"
              data-testid={`${prefix}-move-input`}
              value={folder}
              spellCheck={false}
              maxLength={1024}
              disabled={!canManage || busy}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setFolder(e.target.value)}
            />
          </label>
          <p className="muted">{t('datadir.move.hint')}</p>
          <div className="setup-form__actions">
            <button type="submit" className="button button--secondary" data-testid={`${prefix}-move-submit`} disabled={!canManage || busy || folder.trim() === ''}>
              {busy ? t('datadir.move.moving') : t('datadir.move.submit')}
            </button>
            {offerExisting && !busy && (
              <button type="button" className="button button--ghost" data-testid={`${prefix}-move-use-existing`} disabled={!canManage} onClick={() => void move(offerExisting, true)}>
                {t('datadir.move.useExisting', { folder: offerExisting })}
              </button>
            )}
          </div>
          {busy && (
            <p role="status" data-testid={`${prefix}-move-progress`}>
              {progress ? t(`datadir.phase.${progress.phase}`, { done: progress.done, total: progress.total }) : t('datadir.phase.checking')}
            </p>
          )}
        </form>
      )}
      {error && (
        <p className="setup-form__error" role="alert" data-testid={`${prefix}-move-error`} data-code={error.code}>
          {describeSetupError(t, error)}
        </p>
      )}
      {moved && (
        <div role="status" className="setup-datadir__moved" data-testid={`${prefix}-move-result`}>
          <p className="setup-ok">
            {moved.usedExisting
              ? t('datadir.result.existing', { to: moved.to, from: moved.from, auditRows: moved.auditRows })
              : t('datadir.result.copied', { to: moved.to, from: moved.from, rows: moved.rows, tables: moved.tables, auditRows: moved.auditRows, files: moved.files })}
          </p>
          <p data-testid={`${prefix}-move-restart-hint`}>{state?.canRestart ? t('datadir.result.restartApp') : t('datadir.result.restartHost')}</p>
          {state?.canRestart && (
            <button type="button" className="button button--secondary" data-testid={`${prefix}-move-restart`} disabled={!canManage} onClick={() => void restart()}>
              {t('datadir.result.restart')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
