import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { usePrinting } from '../../store/printingContext.js';
import { describePrintError } from '../printing/printText.js';

/**
 * Which printer receipts go to, and a test page on it. The built-in PDF printer needs no hardware:
 * it writes each receipt as a PDF file into its folder. Other printers are added under Printers.
 */
export function PrinterStep() {
  const { t } = useTranslation();
  const id = useId();
  const printers = usePrinting((s) => s.printers);
  const load = usePrinting((s) => s.load);
  const configure = usePrinting((s) => s.configure);
  const saving = usePrinting((s) => s.saving);
  const saveError = usePrinting((s) => s.saveError);
  const testPrint = usePrinting((s) => s.test);
  const testing = usePrinting((s) => s.testing);
  const tests = usePrinting((s) => s.tests);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const [picked, setPicked] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  if (!printers) return <p className="muted">{t('common.loading')}</p>;
  const chosen = picked ?? printers.defaultPrinterId;
  const result = tests[chosen];

  return (
    <div className="setup-printer">
      <fieldset className="setup-printer__choice" disabled={!canManage || saving}>
        <legend>{t('setup.printer.use')}</legend>
        {printers.printers.map((view) => (
          <label key={view.config.id} className="setup-radio">
            <input
              type="radio"
              name={`${id}-printer`}
              value={view.config.id}
              data-testid={`printer-choice-${view.config.id}`}
              checked={chosen === view.config.id}
              onChange={() => setPicked(view.config.id)}
            />
            <span>
              {view.config.name} ({t(`setup.printer.kinds.${view.config.kind}`)}){view.isDefault ? ` · ${t('setup.printer.isDefault')}` : ''}
              {view.folder && (
                <>
                  {' '}
                  · <code data-testid="printer-choice-folder">{view.folder}</code>
                </>
              )}
            </span>
          </label>
        ))}
        <button
          type="button"
          className="button button--secondary"
          data-testid="printer-use"
          disabled={!canManage || saving || chosen === printers.defaultPrinterId}
          onClick={() => void configure({ defaultPrinterId: chosen }).then((e) => e === null && setPicked(null))}
        >
          {t('setup.printer.makeDefault')}
        </button>
      </fieldset>
      {saveError && (
        <p className="setup-form__error" role="alert">
          {describePrintError(t, saveError)}
        </p>
      )}
      <p className="muted">{t('setup.printer.more')}</p>
      <button type="button" className="button button--secondary" data-testid="printer-step-test" disabled={testing.includes(chosen)} onClick={() => void testPrint(chosen)}>
        {testing.includes(chosen) ? t('setup.printer.testing') : t('setup.printer.test')}
      </button>
      <div role="status" data-testid="printer-step-result" data-ok={result ? String(result.ok) : undefined}>
        {result &&
          (result.ok
            ? result.output
              ? t('printing.test.okFile', { file: result.output })
              : t('printing.test.ok')
            : t('printing.test.failed', { reason: describePrintError(t, result.error!) }))}
        {result?.ok && result.output && <p className="muted">{t('setup.printer.checkHeader')}</p>}
      </div>
    </div>
  );
}
