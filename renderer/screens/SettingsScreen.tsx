import { useEffect, useId, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeLink } from '../components/LinkBadge.js';
import { SoundControl } from '../components/counter/SoundControl.js';
import { LOCALES } from '../store/appStore.js';
import type { Locale } from '../store/appStore.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';
import { useSettings } from '../store/settingsContext.js';
import { loadComfort, saveComfort } from '../settings/comfort.js';
import { BackupsList, FoldersStep } from '../components/setup/FoldersStep.js';
import { PrinterStep } from '../components/setup/PrinterStep.js';
import { ShopForm } from '../components/setup/ShopForm.js';
import { TerminalStep } from '../components/setup/TerminalStep.js';
import type { ComfortKey } from '../settings/comfort.js';

function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="settings__row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/** Settings: the shop, the language, the terminal link, the audit chain, data and backups, comfort. */
export function SettingsScreen() {
  const { t } = useTranslation();
  const id = useId();
  const status = useAppStore((s) => s.status);
  const locale = useAppStore((s) => s.locale);
  const setLocale = useAppStore((s) => s.setLocale);
  const link = describeLink(t, status);

  return (
    <section className="settings" data-testid="settings-screen" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="settings__title">
        {t('settings.title')}
      </h2>

      <ShopSection />

      <section className="settings__group" aria-labelledby={`${id}-language`}>
        <h3 id={`${id}-language`}>{t('settings.language.title')}</h3>
        <label className="field">
          <span className="field__label">{t('locale.label')}</span>
          <select className="input" data-testid="settings-locale" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`locale.names.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">{t('settings.language.currency')}</p>
      </section>

      <section className="settings__group" aria-labelledby={`${id}-terminal`}>
        <h3 id={`${id}-terminal`}>{t('settings.terminal.title')}</h3>
        <dl className="settings__list">
          <Row label={t('settings.terminal.link')} testId="settings-link">
            {link.text}
          </Row>
          {status?.link.kind === 'connected' && <Row label={t('settings.terminal.device')}>{status.link.device}</Row>}
          <Row label={t('settings.terminal.nodeHid')} testId="settings-node-hid">
            {status ? (status.nodeHidProblem ? t('settings.terminal.nodeHidMissing', { reason: status.nodeHidProblem }) : t('settings.terminal.nodeHidOk')) : t('common.loading')}
          </Row>
        </dl>
        <h4>{t('setup.settings.terminal')}</h4>
        <TerminalStep />
      </section>

      <section className="settings__group" aria-labelledby={`${id}-printer`}>
        <h3 id={`${id}-printer`}>{t('setup.settings.printer')}</h3>
        <PrinterStep />
      </section>

      <AuditSection />

      <section className="settings__group" aria-labelledby={`${id}-data`}>
        <h3 id={`${id}-data`}>{t('settings.data.title')}</h3>
        <dl className="settings__list">
          <Row label={t('settings.data.folder')} testId="settings-data-dir">
            <code className="settings__path">{status?.dataDir ?? '—'}</code>
          </Row>
          <Row label={t('settings.data.lastBackup')} testId="settings-last-backup">
            {status?.ledger?.lastBackupAt ? formatDateTime(status.ledger.lastBackupAt, locale) : t('settings.data.noBackup')}
          </Row>
          <Row label={t('settings.data.version')} testId="settings-version">
            {status?.version ?? '—'}
          </Row>
        </dl>
        <h4>{t('setup.settings.folders')}</h4>
        <FoldersStep prefix="settings-folders" />
        <h4>{t('setup.backups.title')}</h4>
        <BackupsList />
      </section>

      <section className="settings__group" aria-labelledby={`${id}-comfort`}>
        <h3 id={`${id}-comfort`}>{t('settings.comfort.title')}</h3>
        <ComfortToggle which="contrast" label={t('settings.comfort.contrast')} testId="settings-contrast" />
        <ComfortToggle which="largeText" label={t('settings.comfort.largeText')} testId="settings-large-text" />
        <SoundControl />
      </section>
    </section>
  );
}

function ComfortToggle({ which, label, testId }: { which: ComfortKey; label: string; testId: string }) {
  const [on, setOn] = useState(() => loadComfort(which));
  return (
    <label className="settings__toggle">
      <input
        type="checkbox"
        data-testid={testId}
        checked={on}
        onChange={(e) => {
          saveComfort(which, e.target.checked);
          setOn(e.target.checked);
        }}
      />
      <span>{label}</span>
    </label>
  );
}

/** The shop's receipt header, currency and language (the setup wizard's shop step; a manager changes it). */
function ShopSection() {
  const { t } = useTranslation();
  const id = useId();
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  return (
    <section className="settings__group" aria-labelledby={`${id}-shop`}>
      <h3 id={`${id}-shop`}>{t('setup.settings.shop')}</h3>
      <ShopForm prefix="settings-shop" disabled={!canManage} />
      <p className="muted">{canManage ? t('settings.shop.hint') : t('settings.shop.managerOnly')}</p>
    </section>
  );
}

/** The audit chain's head, and a full check on demand. */
function AuditSection() {
  const { t } = useTranslation();
  const id = useId();
  const statusHead = useAppStore((s) => s.status?.auditHead ?? null);
  const freshHead = useSettings((s) => s.head);
  const headLoaded = useSettings((s) => s.headLoaded);
  const refreshHead = useSettings((s) => s.refreshHead);
  const head = headLoaded ? freshHead : statusHead;
  const verifying = useSettings((s) => s.verifying);
  const verification = useSettings((s) => s.verification);
  const verifyError = useSettings((s) => s.verifyError);
  const verifyAudit = useSettings((s) => s.verifyAudit);
  // Read afresh on opening, and whenever the app's status moves on.
  useEffect(() => {
    void refreshHead();
  }, [refreshHead, statusHead]);
  return (
    <section className="settings__group" aria-labelledby={`${id}-audit`}>
      <h3 id={`${id}-audit`}>{t('settings.audit.title')}</h3>
      <dl className="settings__list">
        <Row label={t('settings.audit.head')} testId="settings-audit-head">
          {head ? (
            <>
              {t('settings.audit.row', { seq: head.seq })} <code className="settings__hash">{head.hash.slice(0, 16)}…</code>
            </>
          ) : (
            t('settings.audit.empty')
          )}
        </Row>
      </dl>
      <button type="button" className="button button--secondary" data-testid="settings-audit-verify" disabled={verifying} onClick={() => void verifyAudit()}>
        {verifying ? t('settings.audit.verifying') : t('settings.audit.verify')}
      </button>
      <div role="status" data-testid="settings-audit-result" data-ok={verification ? String(verification.ok) : undefined}>
        {verification?.ok === true && t('settings.audit.ok', { rows: verification.rows })}
        {verification?.ok === false && t('settings.audit.broken', { rows: verification.rows, seq: verification.badSeq, reason: verification.reason })}
        {verifyError && t('settings.audit.failed', { message: verifyError.message })}
      </div>
    </section>
  );
}
