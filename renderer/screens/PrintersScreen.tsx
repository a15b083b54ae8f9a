import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import type { PrintJob, PrinterView, PrintersState } from '../../electron/contract/commands/printing.js';
import {
  EMPTY_PRINTER_FORM,
  describePrintError,
  formFromPrinter,
  printerFromForm,
  printerWhere,
  type PrinterForm,
  type PrinterFormField,
} from '../components/printing/printText.js';
import { formatMinor } from '../format/money.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';
import { usePrinting } from '../store/printingContext.js';

/** Printers (settings, test prints) and the print queue (retry). */
export function PrintersScreen() {
  const { t } = useTranslation();
  const id = useId();
  const printers = usePrinting((s) => s.printers);
  const loading = usePrinting((s) => s.loading);
  const loadError = usePrinting((s) => s.loadError);
  const load = usePrinting((s) => s.load);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const [form, setForm] = useState<PrinterForm | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="printers" data-testid="printers-screen" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="printers__title">
        {t('printing.title')}
      </h2>
      <p className="muted">{t('printing.intro')}</p>
      {!canManage && (
        <p className="printers__hint" data-testid="printers-manager-hint">
          {t('printing.managerOnly')}
        </p>
      )}
      {printers && !printers.cjkFont && (
        <div className="banner banner--warn" data-testid="printers-no-font" role="status">
          <span className="banner__text">{t('printing.noFont')}</span>
        </div>
      )}
      {loadError && (
        <div className="banner banner--error" role="alert" data-testid="printers-load-error">
          <span className="banner__text">{describePrintError(t, loadError)}</span>
        </div>
      )}
      {!printers && loading && <p className="muted">{t('printing.loading')}</p>}
      {printers && (
        <PrinterTable
          state={printers}
          canManage={canManage}
          onEdit={(view) => setForm(formFromPrinter(view.config, view.isDefault))}
        />
      )}
      {printers && canManage && !form && (
        <div>
          <button type="button" className="button button--secondary" data-testid="printer-add" onClick={() => setForm({ ...EMPTY_PRINTER_FORM })}>
            {t('printing.actions.add')}
          </button>
        </div>
      )}
      {printers && form && <PrinterEditor form={form} onChange={setForm} onDone={() => setForm(null)} state={printers} />}
      {printers && <ReceiptSettings state={printers} canManage={canManage} />}
      {printers && <SaleReprint />}
      {printers && <PrintQueue state={printers} />}
    </section>
  );
}

function PrinterTable({ state, canManage, onEdit }: { state: PrintersState; canManage: boolean; onEdit: (view: PrinterView) => void }) {
  const { t } = useTranslation();
  const tests = usePrinting((s) => s.tests);
  const testing = usePrinting((s) => s.testing);
  const test = usePrinting((s) => s.test);
  const remove = usePrinting((s) => s.remove);
  const configure = usePrinting((s) => s.configure);
  const saving = usePrinting((s) => s.saving);
  return (
    <table className="printers__table">
      <thead>
        <tr>
          <th>{t('printing.columns.name')}</th>
          <th>{t('printing.columns.where')}</th>
          <th>{t('printing.columns.options')}</th>
          <th>{t('printing.columns.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {state.printers.map((view) => {
          const c = view.config;
          const result = tests[c.id];
          const busy = testing.includes(c.id);
          return (
            <tr key={c.id} data-testid="printer-row" data-printer-id={c.id} data-kind={c.kind} data-default={view.isDefault ? 'true' : 'false'}>
              <td>
                <div className="printers__name">{c.name}</div>
                <div className="muted">
                  {t(`printing.kind.${c.kind}`)}
                  {view.builtIn && ` · ${t('printing.builtIn')}`}
                </div>
                {view.isDefault && (
                  <div className="chip" data-testid="printer-default-badge">
                    {t('printing.isDefault')}
                  </div>
                )}
              </td>
              <td className="printers__where">{printerWhere(c, view.folder)}</td>
              <td className="muted">
                {(c.kind === 'escpos-tcp' || c.kind === 'escpos-device') && (
                  <>
                    <div>{t('printing.paperMm', { mm: c.paper })}</div>
                    <div>{t(`printing.cjk.${c.cjk}`)}</div>
                    {c.drawerKick && <div>{t('printing.drawerKick')}</div>}
                  </>
                )}
              </td>
              <td>
                <div className="printers__actions">
                  <button type="button" className="button button--secondary" data-testid="printer-test" disabled={busy} onClick={() => void test(c.id)}>
                    {busy ? t('printing.actions.testing') : t('printing.actions.test')}
                  </button>
                  {canManage && (
                    <button type="button" className="button button--ghost" data-testid="printer-edit" onClick={() => onEdit(view)}>
                      {t('printing.actions.edit')}
                    </button>
                  )}
                  {canManage && !view.isDefault && (
                    <button
                      type="button"
                      className="button button--ghost"
                      data-testid="printer-make-default"
                      disabled={saving}
                      onClick={() => void configure({ defaultPrinterId: c.id })}
                    >
                      {t('printing.actions.makeDefault')}
                    </button>
                  )}
                  {canManage && !view.builtIn && (
                    <button type="button" className="button button--ghost" data-testid="printer-remove" disabled={saving} onClick={() => void remove(c.id)}>
                      {t('printing.actions.remove')}
                    </button>
                  )}
                </div>
                {result && (
                  <div
                    className={result.ok ? 'printers__result printers__result--ok' : 'printers__result printers__result--bad'}
                    data-testid="printer-test-result"
                    data-ok={result.ok ? 'true' : 'false'}
                    data-code={result.error?.code ?? ''}
                    role="status"
                  >
                    {result.ok
                      ? result.output
                        ? t('printing.test.okFile', { file: result.output })
                        : t('printing.test.ok')
                      : t('printing.test.failed', { reason: describePrintError(t, result.error!) })}
                    {result.ok && result.paperLow && <div>{t('printing.test.paperLow')}</div>}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const FIELD_ERROR_KEYS: Record<PrinterFormField, string> = {
  name: 'printing.form.errors.name',
  host: 'printing.form.errors.host',
  port: 'printing.form.errors.port',
  path: 'printing.form.errors.path',
  deviceName: 'printing.form.errors.deviceName',
  folder: 'printing.form.errors.folder',
};

function PrinterEditor({ form, onChange, onDone, state }: { form: PrinterForm; onChange: (f: PrinterForm) => void; onDone: () => void; state: PrintersState }) {
  const { t } = useTranslation();
  const id = useId();
  const save = usePrinting((s) => s.save);
  const saving = usePrinting((s) => s.saving);
  const [fieldErrors, setFieldErrors] = useState<PrinterFormField[]>([]);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const set = (patch: Partial<PrinterForm>) => onChange({ ...form, ...patch });
  const pdfDefault = state.printers.find((p) => p.builtIn)?.folder ?? '';
  const isPdfBuiltIn = form.id === 'pdf';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const named = { ...form, name: form.name.trim() || t(`printing.kind.${form.kind}`) };
    const built = printerFromForm(named);
    if (!built.ok) {
      setFieldErrors(built.fields);
      setError(null);
      return;
    }
    setFieldErrors([]);
    const failure = await save(built.printer, form.makeDefault);
    setError(failure);
    if (!failure) onDone();
  }

  const fieldError = (field: PrinterFormField) =>
    fieldErrors.includes(field) ? (
      <span className="printers__field-error" data-testid={`printer-${field}-error`}>
        {t(FIELD_ERROR_KEYS[field])}
      </span>
    ) : null;

  return (
    <form className="printers__form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="printer-form">
      <h3 id={`${id}-title`} className="printers__subtitle">
        {form.id ? t('printing.form.editTitle', { name: form.name }) : t('printing.form.addTitle')}
      </h3>
      <div className="printers__fields">
        <label className="field">
          <span className="field__label">{t('printing.form.kind')}</span>
          <select
            className="input"
            data-testid="printer-kind"
            value={form.kind}
            disabled={isPdfBuiltIn}
            onChange={(e) => set({ kind: e.target.value as PrinterForm['kind'] })}
          >
            {(['escpos-tcp', 'escpos-device', 'system', 'pdf'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`printing.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('printing.form.name')}</span>
          <input
            className="input"
            data-testid="printer-name"
            value={form.name}
            maxLength={60}
            placeholder={t('printing.form.namePlaceholder')}
            onChange={(e) => set({ name: e.target.value })}
          />
          {fieldError('name')}
        </label>
        {form.kind === 'escpos-tcp' && (
          <>
            <label className="field">
              <span className="field__label">{t('printing.form.host')}</span>
              <input
                className="input"
                data-testid="printer-host"
                value={form.host}
                spellCheck={false}
                autoComplete="off"
                placeholder="192.168.1.87"
                onChange={(e) => set({ host: e.target.value })}
              />
              {fieldError('host')}
            </label>
            <label className="field">
              <span className="field__label">{t('printing.form.port')}</span>
              <input
                className="input input--short"
                data-testid="printer-port"
                inputMode="numeric"
                value={form.port}
                onChange={(e) => set({ port: e.target.value })}
              />
              {fieldError('port')}
            </label>
          </>
        )}
        {form.kind === 'escpos-device' && (
          <label className="field">
            <span className="field__label">{t('printing.form.path')}</span>
            <input
              className="input"
              data-testid="printer-path"
              value={form.path}
              spellCheck={false}
              placeholder="/dev/usb/lp0"
              onChange={(e) => set({ path: e.target.value })}
            />
            <span className="muted">{t('printing.form.pathHint')}</span>
            {fieldError('path')}
          </label>
        )}
        {(form.kind === 'escpos-tcp' || form.kind === 'escpos-device') && (
          <>
            <label className="field">
              <span className="field__label">{t('printing.form.paper')}</span>
              <select className="input" data-testid="printer-paper" value={form.paper} onChange={(e) => set({ paper: e.target.value as '58' | '80' })}>
                <option value="58">{t('printing.form.paper58')}</option>
                <option value="80">{t('printing.form.paper80')}</option>
              </select>
            </label>
            <label className="field">
              <span className="field__label">{t('printing.form.cjk')}</span>
              <select className="input" data-testid="printer-cjk" value={form.cjk} onChange={(e) => set({ cjk: e.target.value as 'native' | 'raster' })}>
                <option value="native">{t('printing.cjk.native')}</option>
                <option value="raster">{t('printing.cjk.raster')}</option>
              </select>
            </label>
            <label className="field field--check">
              <input type="checkbox" data-testid="printer-drawer" checked={form.drawerKick} onChange={(e) => set({ drawerKick: e.target.checked })} />
              <span>{t('printing.form.drawerKick')}</span>
            </label>
          </>
        )}
        {form.kind === 'system' && (
          <label className="field">
            <span className="field__label">{t('printing.form.deviceName')}</span>
            <input className="input" data-testid="printer-device" value={form.deviceName} onChange={(e) => set({ deviceName: e.target.value })} />
            {fieldError('deviceName')}
          </label>
        )}
        {form.kind === 'pdf' && (
          <label className="field">
            <span className="field__label">{t('printing.form.folder')}</span>
            <input className="input" data-testid="printer-folder" value={form.folder} spellCheck={false} onChange={(e) => set({ folder: e.target.value })} />
            <span className="muted">{t('printing.form.folderHint', { folder: pdfDefault })}</span>
            {fieldError('folder')}
          </label>
        )}
        <label className="field field--check">
          <input type="checkbox" data-testid="printer-default" checked={form.makeDefault} onChange={(e) => set({ makeDefault: e.target.checked })} />
          <span>{t('printing.form.makeDefault')}</span>
        </label>
      </div>
      {error && (
        <p className="printers__field-error" role="alert" data-testid="printer-save-error" data-code={error.code}>
          {describePrintError(t, error)}
        </p>
      )}
      <div className="printers__actions">
        <button type="submit" className="button button--confirm" data-testid="printer-save" disabled={saving}>
          {saving ? t('printing.form.saving') : t('printing.form.save')}
        </button>
        <button type="button" className="button button--ghost" data-testid="printer-cancel" onClick={onDone}>
          {t('printing.form.cancel')}
        </button>
      </div>
    </form>
  );
}

function ReceiptSettings({ state, canManage }: { state: PrintersState; canManage: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const configure = usePrinting((s) => s.configure);
  const saving = usePrinting((s) => s.saving);
  const [locale, setLocale] = useState(state.receiptLocale);
  const [merchantName, setMerchantName] = useState(state.merchantName);
  const [result, setResult] = useState<{ error: ApiErrorShape | null } | null>(null);
  useEffect(() => {
    setLocale(state.receiptLocale);
    setMerchantName(state.merchantName);
  }, [state.receiptLocale, state.merchantName]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setResult({ error: await configure({ receiptLocale: locale, merchantName }) });
  }

  return (
    <form className="printers__form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="printers__subtitle">
        {t('printing.settings.title')}
      </h3>
      <div className="printers__fields">
        <label className="field">
          <span className="field__label">{t('printing.settings.locale')}</span>
          <select
            className="input"
            data-testid="receipt-locale"
            value={locale}
            disabled={!canManage}
            onChange={(e) => setLocale(e.target.value as typeof locale)}
          >
            <option value="zh-CN">{t('printing.settings.localeZh')}</option>
            <option value="en">{t('printing.settings.localeEn')}</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('printing.settings.merchantName')}</span>
          <input
            className="input"
            data-testid="receipt-merchant-name"
            value={merchantName}
            maxLength={40}
            disabled={!canManage}
            onChange={(e) => setMerchantName(e.target.value)}
          />
        </label>
        {canManage && (
          <button type="submit" className="button button--secondary" data-testid="receipt-settings-save" disabled={saving}>
            {t('printing.settings.save')}
          </button>
        )}
      </div>
      {result && (
        <p className={result.error ? 'printers__field-error' : 'printers__ok'} role="status" data-testid="receipt-settings-result">
          {result.error ? describePrintError(t, result.error) : t('printing.settings.saved')}
        </p>
      )}
    </form>
  );
}

/** Reprint an original SALE receipt: pick one of the latest charges and the copy. */
function SaleReprint() {
  const { t } = useTranslation();
  const id = useId();
  const charges = usePrinting((s) => s.recentCharges);
  const loadRecentCharges = usePrinting((s) => s.loadRecentCharges);
  const reprint = usePrinting((s) => s.reprint);
  const reprinting = usePrinting((s) => s.reprinting);
  const result = usePrinting((s) => s.reprintResult);
  const locale = useAppStore((s) => s.locale);
  const [chargeId, setChargeId] = useState('');
  const [copy, setCopy] = useState<'customer' | 'merchant'>('customer');
  useEffect(() => {
    void loadRecentCharges();
  }, [loadRecentCharges]);
  const selected = chargeId || (charges[0] ? String(charges[0].id) : '');

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (selected) await reprint(Number(selected), copy);
  }

  return (
    <form className="printers__form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="printers__subtitle">
        {t('printing.reprint.title')}
      </h3>
      <div className="printers__fields">
        <label className="field">
          <span className="field__label">{t('printing.reprint.charge')}</span>
          <select
            className="input"
            data-testid="receipt-reprint-charge"
            value={selected}
            onFocus={() => void loadRecentCharges()}
            onChange={(e) => setChargeId(e.target.value)}
          >
            {charges.length === 0 && <option value="">{t('printing.reprint.none')}</option>}
            {charges.map((c) => (
              <option key={c.id} value={String(c.id)} data-trace={c.trace}>
                {t('printing.reprint.option', { trace: c.trace, amount: formatMinor(c.amountMinor, c.currency, locale), card: c.panMasked.slice(-4) })}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('printing.reprint.copy')}</span>
          <select className="input" data-testid="receipt-reprint-copy" value={copy} onChange={(e) => setCopy(e.target.value as 'customer' | 'merchant')}>
            <option value="customer">{t('printing.queue.copies.customer')}</option>
            <option value="merchant">{t('printing.queue.copies.merchant')}</option>
          </select>
        </label>
        <button type="submit" className="button button--secondary" data-testid="receipt-reprint" disabled={reprinting || !selected}>
          {reprinting ? t('printing.queue.retrying') : t('printing.reprint.button')}
        </button>
      </div>
      {result && (
        <p
          className={result.outcome?.state === 'printed' ? 'printers__ok' : 'printers__field-error'}
          role="status"
          data-testid="receipt-reprint-result"
          data-state={result.outcome?.state ?? 'error'}
        >
          {result.error
            ? describePrintError(t, result.error)
            : result.outcome!.state === 'printed'
              ? t('printing.reprint.printed')
              : t('printing.reprint.queued', { reason: describePrintError(t, result.outcome!.error!) })}
        </p>
      )}
    </form>
  );
}

function PrintQueue({ state }: { state: PrintersState }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const jobs = usePrinting((s) => s.jobs);
  const retrying = usePrinting((s) => s.retrying);
  const retryErrors = usePrinting((s) => s.retryErrors);
  const retry = usePrinting((s) => s.retry);
  const locale = useAppStore((s) => s.locale);
  const [targets, setTargets] = useState<Record<number, string>>({});
  const name = (printerId: string) => state.printers.find((p) => p.config.id === printerId)?.config.name ?? printerId;
  const amount = (job: PrintJob) =>
    formatMinor(job.kind === 'VOID' || job.kind === 'REFUND' ? -job.amountMinor : job.amountMinor, job.currency, locale ?? i18n.language);

  return (
    <section className="printers__queue" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="printers__subtitle">
        {t('printing.queue.title')}
      </h3>
      <p className="muted">{t('printing.queue.hint')}</p>
      {jobs.length === 0 && (
        <p className="muted" data-testid="print-queue-empty">
          {t('printing.queue.empty')}
        </p>
      )}
      {jobs.length > 0 && (
        <table className="printers__table">
          <tbody>
            {jobs.map((job) => {
              const busy = retrying.includes(job.id);
              const error = retryErrors[job.id] ?? (job.state !== 'printed' ? job.lastError : null);
              return (
                <tr key={job.id} data-testid="print-job-row" data-job-id={job.id} data-state={job.state} data-kind={job.kind} data-copy={job.copy}>
                  <td>
                    <div className="printers__name">
                      {t(`printing.queue.kinds.${job.kind}`)}
                      {job.reprint && ` (${t('printing.queue.reprint')})`} · {t(`printing.queue.copies.${job.copy}`)}
                    </div>
                    <div className="muted">
                      {job.trace && t('printing.queue.trace', { trace: job.trace })} · {amount(job)}
                    </div>
                  </td>
                  <td>
                    <div className={`printers__state printers__state--${job.state}`} data-testid="print-job-state">
                      {t(`printing.queue.states.${job.state}`)}
                    </div>
                    <div className="muted">
                      {name(job.printerId)} · {t('printing.queue.attempts', { n: job.attempts })}
                    </div>
                    {job.output && <div className="muted printers__where">{t('printing.queue.savedAs', { file: job.output })}</div>}
                    {error && (
                      <div className="printers__field-error" data-testid="print-job-error" data-code={error.code}>
                        {describePrintError(t, error)}
                      </div>
                    )}
                  </td>
                  <td>
                    {job.state !== 'printed' && (
                      <div className="printers__actions">
                        <label className="field">
                          <span className="field__label">{t('printing.queue.retryOn')}</span>
                          <select
                            className="input"
                            data-testid="print-job-retry-printer"
                            value={targets[job.id] ?? ''}
                            onChange={(e) => setTargets({ ...targets, [job.id]: e.target.value })}
                          >
                            <option value="">{t('printing.queue.sameprinter')}</option>
                            {state.printers
                              .filter((p) => p.config.id !== job.printerId)
                              .map((p) => (
                                <option key={p.config.id} value={p.config.id}>
                                  {p.config.name}
                                </option>
                              ))}
                          </select>
                        </label>
                        <button
                          type="button"
                          className="button button--secondary"
                          data-testid="print-job-retry"
                          disabled={busy}
                          onClick={() => void retry(job.id, targets[job.id] || undefined)}
                        >
                          {busy ? t('printing.queue.retrying') : t('printing.queue.retry')}
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
