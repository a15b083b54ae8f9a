import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useAppStore } from '../../store/context.js';
import { useSetup } from '../../store/setupContext.js';
import { describeSetupError, formatSize } from './setupText.js';
import { DataDirPanel } from './DataDirPanel.js';

/**
 * The data folder (where the ledger lives; "Move data to…" in DataDirPanel) and the backup folder
 * (checked writable before it is used; backups go there from then on).
 */
export function FoldersStep({ prefix = 'folders' }: { prefix?: string }) {
  const { t } = useTranslation();
  const setup = useSetup((s) => s.setup);
  const setBackupFolder = useSetup((s) => s.setBackupFolder);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const [folder, setFolder] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!setup) return <p className="muted">{t('common.loading')}</p>;
  const value = folder ?? setup.backupFolder;

  async function save(next: string | null) {
    setBusy(true);
    setSaved(false);
    const failure = await setBackupFolder(next);
    setBusy(false);
    setError(failure);
    if (!failure) {
      setFolder(null);
      setSaved(true);
    }
  }

  return (
    <div className="setup-folders">
      <dl className="settings__list">
        <div className="settings__row">
          <dt>{t('setup.folders.data')}</dt>
          <dd>
            <DataDirPanel prefix={prefix} fallback={setup.dataDir} />
          </dd>
        </div>
      </dl>
      <form
        className="setup-form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void save(value.trim());
        }}
      >
        <label className="field setup-form__wide">
          <span className="field__label">{t('setup.folders.backup')}</span>
          <input
            className="input"
            data-testid={`${prefix}-backup-input`}
            value={value}
            spellCheck={false}
            maxLength={1024}
            disabled={!canManage || busy}
            aria-invalid={error ? true : undefined}
            onChange={(e) => {
              setFolder(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        <p className="muted">
          {setup.backupFolderIsDefault ? t('setup.folders.isDefault') : t('setup.folders.isChosen')} <span data-testid={`${prefix}-backup-current`}>{setup.backupFolder}</span>
        </p>
        <div className="setup-form__actions">
          <button type="submit" className="button button--secondary" data-testid={`${prefix}-backup-save`} disabled={!canManage || busy || folder === null}>
            {t('setup.folders.save')}
          </button>
          {!setup.backupFolderIsDefault && (
            <button type="button" className="button button--ghost" data-testid={`${prefix}-backup-default`} disabled={!canManage || busy} onClick={() => void save(null)}>
              {t('setup.folders.useDefault')}
            </button>
          )}
          {saved && (
            <span role="status" data-testid={`${prefix}-backup-saved`}>
              {t('setup.folders.saved')}
            </span>
          )}
        </div>
        {error && (
          <p className="setup-form__error" role="alert" data-testid={`${prefix}-backup-error`} data-code={error.code}>
            {describeSetupError(t, error)}
          </p>
        )}
      </form>
    </div>
  );
}

/** The backups in the backup folder (file, time, size), and one taken now. */
export function BackupsList() {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const backups = useSetup((s) => s.backups);
  const backupFolder = useSetup((s) => s.setup?.backupFolder);
  const loadBackups = useSetup((s) => s.loadBackups);
  const takeBackup = useSetup((s) => s.takeBackup);
  const backingUp = useSetup((s) => s.backingUp);
  const backupError = useSetup((s) => s.backupError);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  useEffect(() => {
    void loadBackups();
  }, [loadBackups, backupFolder]);
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <div className="setup-backups">
      {backups && backups.backups.length === 0 && <p data-testid="backups-empty">{t('setup.backups.none')}</p>}
      {backups && backups.backups.length > 0 && (
        <table className="setup-backups__table" data-testid="backups-table">
          <caption className="visually-hidden">{t('setup.backups.caption', { folder: backups.folder })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('setup.backups.file')}</th>
              <th scope="col">{t('setup.backups.time')}</th>
              <th scope="col">{t('setup.backups.size')}</th>
            </tr>
          </thead>
          <tbody>
            {backups.backups.map((b) => (
              <tr key={b.name} data-testid="backup-row">
                <td>
                  <code>{b.name}</code>
                </td>
                <td>{format.format(new Date(b.takenAt))}</td>
                <td>{formatSize(b.size, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="button button--secondary" data-testid="backups-take" disabled={!canManage || backingUp} onClick={() => void takeBackup()}>
        {backingUp ? t('setup.backups.taking') : t('setup.backups.take')}
      </button>
      {backupError && (
        <p className="setup-form__error" role="alert" data-testid="backups-error">
          {describeSetupError(t, backupError)}
        </p>
      )}
    </div>
  );
}
