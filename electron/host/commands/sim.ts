import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { defaultDataDir, HOST_FILE } from '../../core/paths.js';
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

/** One call over the running host's API WebSocket, authenticated like its own page. */
async function call(info: HostInfo, method: string, params: unknown): Promise<unknown> {
  const origin = `http://127.0.0.1:${info.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${info.port}/api`, {
    headers: { Origin: origin, Cookie: `countersign_session=${info.token}` },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the running Countersign did not answer in 10 s'));
    }, 10_000);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the running Countersign: ${error.message}`));
    });
  });
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
  const args = parseArgs(argv, { values: ['data', 'pan', 'entry'], booleans: [] });
  const [action, amount] = args.positionals;
  const info = readHostInfo(path.resolve(flagString(args, 'data') ?? defaultDataDir()));
  switch (action) {
    case 'status': {
      const status = (await call(info, 'status.get', {})) as { simulator: boolean; link: { kind: string } };
      process.stdout.write(`simulator: ${status.simulator ? 'on' : 'off'}; link: ${status.link.kind}\n`);
      return 0;
    }
    case 'on':
    case 'off':
      await call(info, 'sim.setEnabled', { enabled: action === 'on' });
      process.stdout.write(`simulator ${action}\n`);
      return 0;
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
