import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { HOST_FILE } from '../../core/paths.js';
import { resolveDataDirFromDisk } from '../../core/dataLocation.js';
import { parseMajorToMinor } from '../../domain/money.js';
import { flagString, parseArgs, UsageError } from '../args.js';

interface HostInfo {
  port: number;
  token: string;
}

function readHostInfo(dataDir: string): HostInfo {
  const file = path.join(dataDir, HOST_FILE);
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as HostInfo;
    if (!Number.isInteger(info.port) || typeof info.token !== 'string') throw new Error('bad host file');
    return info;
  } catch {
    throw new UsageError(`no running Countersign found for ${dataDir} (start it with \`npm start\` first)`);
  }
}

/** A connection to the running host's API WebSocket, authenticated like its own page. */
interface HostConnection {
  call(method: string, params: unknown): Promise<unknown>;
  close(): void;
}

function connect(info: HostInfo): Promise<HostConnection> {
  const origin = `http://127.0.0.1:${info.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${info.port}/api`, {
    headers: { Origin: origin, Cookie: `countersign_session=${info.token}` },
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const w = typeof message.id === 'number' ? waiting.get(message.id) : undefined;
    if (!w) return;
    waiting.delete(message.id!);
    if (message.error) w.reject(new Error(message.error.message));
    else w.resolve(message.result);
  });
  ws.on('close', () => failAll(new Error('the running Countersign closed the connection')));
  return new Promise((resolve, reject) => {
    ws.once('error', (error) => {
      failAll(new Error(`cannot reach the running Countersign: ${error.message}`));
      reject(new Error(`cannot reach the running Countersign: ${error.message}`));
    });
    ws.once('open', () =>
      resolve({
        call(method, params) {
          const id = nextId++;
          return new Promise((res, rej) => {
            const timer = setTimeout(() => {
              waiting.delete(id);
              rej(new Error('the running Countersign did not answer in 10 s'));
            }, 10_000);
            waiting.set(id, {
              resolve: (v) => (clearTimeout(timer), res(v)),
              reject: (e) => (clearTimeout(timer), rej(e)),
            });
            ws.send(JSON.stringify({ id, method, params }));
          });
        },
        close: () => ws.close(),
      }),
    );
  });
}

/** One call over its own connection (nobody signed in on it: the cashier's rights). */
async function call(info: HostInfo, method: string, params: unknown): Promise<unknown> {
  const connection = await connect(info);
  try {
    return await connection.call(method, params);
  } finally {
    connection.close();
  }
}

export const MANAGER_NAME_ENV = 'COUNTERSIGN_MANAGER';
export const MANAGER_PIN_ENV = 'COUNTERSIGN_MANAGER_PIN';

/** A line typed at the terminal; `hidden` echoes nothing (a PIN). */
async function prompt(question: string, hidden: boolean): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new UsageError(`${question.replace(/:\s*$/, '')} is needed: run it in a terminal, or set ${hidden ? MANAGER_PIN_ENV : MANAGER_NAME_ENV}`);
  process.stderr.write(question);
  if (!hidden) {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input, output: process.stderr, terminal: false });
    try {
      return (await rl.question('')).trim();
    } finally {
      rl.close();
    }
  }
  return new Promise((resolve, reject) => {
    let typed = '';
    input.setRawMode(true);
    input.resume();
    const done = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/**
 * Signs a manager in on `connection` (switching the simulator is a manager's action). The name comes
 * from --user, COUNTERSIGN_MANAGER or a prompt; the PIN only from COUNTERSIGN_MANAGER_PIN or a hidden
 * prompt — never from the command line, where the shell history and the process list would keep it.
 */
export async function signInManager(
  connection: HostConnection,
  from: { user?: string | undefined; env?: NodeJS.ProcessEnv; ask?: (question: string, hidden: boolean) => Promise<string> } = {},
): Promise<void> {
  const env = from.env ?? process.env;
  const ask = from.ask ?? prompt;
  const status = (await connection.call('auth.status', {})) as { needsSetup: boolean; users: { id: number; name: string; role: string }[] };
  if (status.needsSetup) throw new UsageError('no manager account exists yet: set the shop up in the app first');
  const name = (from.user || env[MANAGER_NAME_ENV] || (await ask('Manager name: ', false))).trim();
  const user = status.users.find((u) => u.name === name && (u.role === 'manager' || u.role === 'owner'));
  if (!user) throw new UsageError(`"${name}" is not a manager here (managers: ${status.users.filter((u) => u.role !== 'cashier').map((u) => u.name).join(', ')})`);
  const pin = env[MANAGER_PIN_ENV] || (await ask(`PIN for ${user.name}: `, true));
  await connection.call('auth.signIn', { userId: user.id, pin });
}

export const FAULT_KINDS = ['lose-next-response', 'corrupt-next-frame', 'drop-next-ack', 'delay-next-response'] as const;

/**
 * `sim fault KIND [ARG]` → the `sim.fault` input: lose-next-response, corrupt-next-frame,
 * drop-next-ack [from-host|to-host], delay-next-response MS.
 */
export function faultFrom(
  kind: string | undefined,
  arg: string | undefined,
):
  | { kind: 'lose-next-response' | 'corrupt-next-frame' }
  | { kind: 'drop-next-ack'; direction?: 'from-host' | 'to-host' }
  | { kind: 'delay-next-response'; ms: number } {
  switch (kind) {
    case 'lose-next-response':
    case 'corrupt-next-frame':
      if (arg !== undefined) throw new UsageError(`sim fault ${kind} takes no argument`);
      return { kind };
    case 'drop-next-ack':
      if (arg === undefined) return { kind };
      if (arg !== 'from-host' && arg !== 'to-host') throw new UsageError('sim fault drop-next-ack takes from-host or to-host');
      return { kind, direction: arg };
    case 'delay-next-response': {
      if (arg === undefined || !/^\d{1,6}$/.test(arg) || Number(arg) > 600_000) {
        throw new UsageError('sim fault delay-next-response needs a delay in ms (0..600000), e.g. `sim fault delay-next-response 35000`');
      }
      return { kind, ms: Number(arg) };
    }
    default:
      throw new UsageError(`sim fault takes ${FAULT_KINDS.join(', ')}`);
  }
}

/** `countersign sim …`: drive the simulated terminal of the running app. */
export async function runSim(argv: string[]): Promise<number> {
  if (argv[0] === 'serve') return (await import('./simServe.js')).runSimServe(argv.slice(1));
  if (argv.some((a) => a === '--pin' || a.startsWith('--pin='))) {
    throw new UsageError(`a PIN is never taken on the command line (the shell history and the process list would keep it): type it at the prompt or set ${MANAGER_PIN_ENV}`);
  }
  const args = parseArgs(argv, { values: ['data', 'pan', 'entry', 'user'], booleans: [] });
  const [action, amount] = args.positionals;
  const info = readHostInfo(resolveDataDirFromDisk({ flag: flagString(args, 'data') }).dataDir);
  switch (action) {
    case 'status': {
      const status = (await call(info, 'status.get', {})) as { simulator: boolean; link: { kind: string } };
      process.stdout.write(`simulator: ${status.simulator ? 'on' : 'off'}; link: ${status.link.kind}\n`);
      return 0;
    }
    case 'on':
    case 'off': {
      const connection = await connect(info);
      try {
        await signInManager(connection, { user: flagString(args, 'user') });
        await connection.call('sim.setEnabled', { enabled: action === 'on' });
        await connection.call('auth.signOut', {});
      } finally {
        connection.close();
      }
      process.stdout.write(`simulator ${action}\n`);
      return 0;
    }
    case 'charge': {
      if (!amount) throw new UsageError('sim charge needs an amount, e.g. `countersign sim charge 128.00`');
      const parsed = parseMajorToMinor(amount);
      if (!parsed.ok) throw new UsageError(`amount "${amount}": ${parsed.error}`);
      const pan = flagString(args, 'pan');
      const entry = flagString(args, 'entry');
      const result = (await call(info, 'sim.charge', {
        amountMinor: parsed.minor,
        ...(pan ? { panMasked: pan } : {}),
        ...(entry ? { entryMode: entry } : {}),
      })) as { trace: string };
      process.stdout.write(`charged ${amount}: trace ${result.trace}\n`);
      return 0;
    }
    case 'unplug':
    case 'replug':
      await call(info, 'sim.fault', { kind: action });
      process.stdout.write(`simulated terminal ${action}ged\n`);
      return 0;
    case 'fault': {
      const fault = faultFrom(amount, args.positionals[2]);
      await call(info, 'sim.fault', fault);
      process.stdout.write(`fault armed: ${amount}${'ms' in fault ? ` ${fault.ms} ms` : ''}${'direction' in fault ? ` (${fault.direction})` : ''}\n`);
      return 0;
    }
    case 'executed': {
      const counts = (await call(info, 'sim.executed', {})) as Record<'VD' | 'RF' | 'SE' | 'QT', number>;
      process.stdout.write(`executed: VD ${counts.VD}, RF ${counts.RF}, SE ${counts.SE}, QT ${counts.QT}\n`);
      return 0;
    }
    case 'script': {
      if (!amount) throw new UsageError('sim script needs a file (or - for stdin)');
      const text = amount === '-' ? readFileSync(0, 'utf8') : readFileSync(amount, 'utf8');
      const result = (await call(info, 'sim.script', { script: text })) as { steps: number; charges: number };
      process.stdout.write(`ran ${result.steps} steps, ${result.charges} charges\n`);
      return 0;
    }
    default:
      throw new UsageError('sim takes status, on, off, charge AMOUNT, unplug, replug, fault KIND, executed or script FILE');
  }
}
