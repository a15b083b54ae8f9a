import { z } from 'zod';
import { NoInput } from './common.js';
import { AbsolutePath, receiptText } from './printing.js';

/**
 * First-run setup (and the same settings changed later): the shop's receipt header, currency and
 * locale, which terminal, the backup folder, and whether the wizard was finished.
 */

/** Receipt-header text: printable, bounded, trimmed. */
const HeaderText = (max: number) => receiptText(max).transform((s) => s.trim());

export const ShopProfile = z
  .object({
    /** Printed when the terminal does not send the merchant's name (same as printers.configure's merchantName). */
    name: HeaderText(40),
    address: HeaderText(80),
    phone: z
      .string()
      .trim()
      .max(30)
      .regex(/^[0-9+()\- ]*$/, 'digits, spaces, + ( ) and - only'),
    /** The merchant / tax registration id printed on receipts (e.g. 统一社会信用代码, 18 characters). */
    taxId: z
      .string()
      .trim()
      .max(30)
      .regex(/^[0-9A-Za-z\-]*$/, 'letters, digits and - only'),
    /** ISO 4217 numeric: the shop's usual currency. The terminal's CU field still rules each charge. */
    currency: z.string().regex(/^\d{3}$/, 'an ISO 4217 numeric code, e.g. 156'),
    locale: z.enum(['zh-CN', 'en']),
  })
  .strict();
export type ShopProfile = z.output<typeof ShopProfile>;

/** Which terminal to use: the first matching HID device, the simulator, or whichever is there. */
export const TerminalChoice = z.enum(['auto', 'simulator', 'node-hid']);
export type TerminalChoice = z.infer<typeof TerminalChoice>;

export const SetupState = z.object({
  completed: z.boolean(),
  /** ISO 8601 UTC, and who finished it; null until then. */
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
  shop: ShopProfile,
  /** Whether the shop profile was ever saved (else `shop` holds defaults). */
  shopSaved: z.boolean(),
  /** The saved choice; null: none saved (the start flag, COUNTERSIGN_BACKEND or auto decides). */
  terminalChoice: TerminalChoice.nullable(),
  /** Where backups go now, and whether that is the default (`<data folder>/backups`). */
  backupFolder: z.string(),
  backupFolderIsDefault: z.boolean(),
  /** Read-only here: chosen at start by --data or COUNTERSIGN_DATA_DIR, else the OS default. */
  dataDir: z.string(),
  currencies: z.array(z.object({ numeric: z.string(), alpha: z.string() })),
});
export type SetupState = z.infer<typeof SetupState>;

export const TerminalDevice = z.object({
  path: z.string(),
  product: z.string().nullable(),
  manufacturer: z.string().nullable(),
  serialNumber: z.string().nullable(),
});

export const TerminalList = z.object({
  /** Why node-hid cannot be used here (null: it loaded). */
  nodeHidProblem: z.string().nullable(),
  /** Matching HID devices (VID/PID of the terminal's USB bridge). */
  devices: z.array(TerminalDevice),
  choice: TerminalChoice.nullable(),
  /** What runs now. */
  running: z.enum(['simulator', 'node-hid', 'socket', 'none']),
});
export type TerminalList = z.infer<typeof TerminalList>;

export const ConnectionTestFailure = z.enum(['not_connected', 'timeout', 'nak', 'unplugged', 'bad_response']);
export type ConnectionTestFailure = z.infer<typeof ConnectionTestFailure>;

/** A round trip through the link: a status query sent, its answer, and the terminal's last status. */
export const ConnectionTest = z.object({
  ok: z.boolean(),
  /** The host SEQ of the probe (null when nothing could be sent). */
  seq: z.string().nullable(),
  /** Sent → answered (or → given up), milliseconds. */
  ms: z.number().int().nonnegative(),
  /** The answer's RC (a probe is answered `25`: no such request, nothing done). */
  rc: z.string().nullable(),
  failure: ConnectionTestFailure.nullable(),
  /** What the session said when it failed (English, for the log and the details line). */
  detail: z.string().nullable(),
  backend: z.enum(['simulator', 'node-hid', 'socket', 'none']),
  device: z.string().nullable(),
  /** The terminal's last ST (SS, PP) and its terminal id from the last charge, when known. */
  terminalStatus: z.string().nullable(),
  paper: z.string().nullable(),
  statusAt: z.string().nullable(),
  terminalId: z.string().nullable(),
});
export type ConnectionTest = z.infer<typeof ConnectionTest>;

export const BackupEntry = z.object({
  name: z.string(),
  kind: z.enum(['daily', 'pre-migration', 'other']),
  takenAt: z.string(),
  size: z.number().int().nonnegative(),
});

export const BackupsState = z.object({
  folder: z.string(),
  backups: z.array(BackupEntry),
});
export type BackupsState = z.infer<typeof BackupsState>;

export const setupCommands = {
  'setup.get': { input: NoInput, output: SetupState },
  /** Manager: the shop's receipt header, currency and locale. */
  'setup.saveShop': { input: z.object({ shop: ShopProfile }).strict(), output: SetupState },
  'setup.terminals': { input: NoInput, output: TerminalList },
  /** Manager: use this terminal from now on (the link restarts on it). */
  'setup.chooseTerminal': { input: z.object({ choice: TerminalChoice }).strict(), output: TerminalList },
  /** A status round trip through the link to the running terminal. */
  'setup.testConnection': { input: NoInput, output: ConnectionTest },
  /** Manager: where backups go from now on (null: back to the default). Checked writable first. */
  'setup.setBackupFolder': { input: z.object({ folder: AbsolutePath.nullable() }).strict(), output: SetupState },
  /** Manager: the wizard is done; it does not show again. */
  'setup.complete': { input: NoInput, output: SetupState },
  'backups.list': { input: NoInput, output: BackupsState },
  /** Manager: take a verified backup now. */
  'backups.take': { input: NoInput, output: BackupsState },
} as const;
