import { useEffect, useId, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import { describeLink } from '../components/LinkBadge.js';
import { SoundControl } from '../components/counter/SoundControl.js';
import { describePrintError } from '../components/printing/printText.js';
import { LOCALES } from '../store/appStore.js';
import type { Locale } from '../store/appStore.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';
import { usePrinting } from '../store/printingContext.js';
import { useSettings } from '../store/settingsContext.js';
import { loadComfort, saveComfort } from '../settings/comfort.js';
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

/** The shop's name as printed on receipts (a manager changes it). */
function ShopSection() {
  const { t } = useTranslation();
  const id = useId();
  const printers = usePrinting((s) => s.printers);
  const load = usePrinting((s) => s.load);
  const configure = usePrinting((s) => s.configure);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const refreshHead = useSettings((s) => s.refreshHead);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  const value = name ?? printers?.merchantName ?? '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const failure = await configure({ merchantName: value.trim() });
    setError(failure);
    if (!failure) {
      setName(null);
      setSaved(true);
      void refreshHead();
    }
  };

  return (
    <section className="settings__group" aria-labelledby={`${id}-shop`}>
      <h3 id={`${id}-shop`}>{t('settings.shop.title')}</h3>
      <form className="settings__form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span className="field__label">{t('settings.shop.name')}</span>
          <input
            className="input"
            data-testid="settings-shop-name"
            value={value}
            maxLength={40}
            disabled={!canManage}
            onChange={(e) => {
              setName(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        <button type="submit" className="button button--secondary" data-testid="settings-shop-save" disabled={!canManage || name === null}>
          {t('settings.shop.save')}
        </button>
      </form>
      <p className="muted">{canManage ? t('settings.shop.hint') : t('settings.shop.managerOnly')}</p>
      {saved && (
        <p role="status" data-testid="settings-shop-saved">
          {t('settings.shop.saved')}
        </p>
      )}
      {error && (
        <p className="settings__error" role="alert" data-testid="settings-shop-error">
          {describePrintError(t, error)}
        </p>
      )}
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
