/**
 * The ledger's one error type. `code` is stable (an i18n key for the screens), `params` fill it in.
 * Messages and params never carry card data.
 *
 * Codes:
 * - db.corrupt          the file is not a database / fails `PRAGMA quick_check` / is empty
 *                       (params.check: not_a_database | malformed | quick_check | empty)
 * - db.not_found        (verify-log) no file at that path
 * - db.too_new          its schema (user_version) is newer than this build knows
 * - db.not_a_ledger     (verify-log) the file is a database but has no ledger schema
 * - db.migration_failed a migration threw; rolled back, the pre-migration backup is kept
 * - db.disk_full        SQLITE_FULL during a write; the transaction was rolled back
 * - db.busy             another process held the lock past busy_timeout
 * - db.cannot_open      the file cannot be opened (missing directory, permissions)
 * - db.read_only        the file or directory is read-only
 * - db.io_error         the OS reported an I/O error
 * - db.closed           the ledger was used after close()
 * - db.error            any other SQLite failure
 * - charge.pan_unmasked, charge.invalid, charge.not_found, charge.not_pending, charge.not_flaggable,
 *   charge.rekey_mismatch, charge.invalid_flags
 * - request.invalid, request.not_found, request.already_resolved, request.seq_exhausted
 * - audit.invalid, audit.head_missing, audit.conflict (a row the ledger did not write sits where
 *   the next one goes: tampered; the ledger stops writing rather than hide it)
 * - actor.invalid, history.invalid_filter, settings.invalid, argument.invalid
 */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly params: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

interface SqliteErrorLike {
  code: string;
  message: string;
}

function isSqliteError(e: unknown): e is SqliteErrorLike {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    ((e as unknown as { code: string }).code).startsWith('SQLITE_')
  );
}

/** Maps a thrown value to a LedgerError (LedgerErrors pass through; non-SQLite errors are rethrown as is). */
export function toLedgerError(e: unknown, context: Record<string, string> = {}): unknown {
  if (e instanceof LedgerError) return e;
  if (!isSqliteError(e)) return e;
  const params = { ...context, sqlite: e.code };
  const code = e.code;
  if (code === 'SQLITE_FULL') {
    return new LedgerError('db.disk_full', 'the disk is full: the change was not recorded (nothing already recorded is lost)', params, { cause: e });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new LedgerError('db.corrupt', `the ledger file is damaged: ${e.message}`, params, { cause: e });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LedgerError('db.busy', 'the ledger is locked by another process', params, { cause: e });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new LedgerError('db.cannot_open', `the ledger file cannot be opened: ${e.message}`, params, { cause: e });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new LedgerError('db.read_only', `the ledger file is read-only: ${e.message}`, params, { cause: e });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new LedgerError('db.io_error', `an I/O error occurred on the ledger file: ${e.message}`, params, { cause: e });
  }
  return new LedgerError('db.error', `ledger database error: ${e.message}`, params, { cause: e });
}
