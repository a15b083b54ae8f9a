/**
 * Raw TCP printing (port 9100, "JetDirect"): connect with a timeout, ask the printer's status
 * (`DLE EOT 1/2/4`) and refuse to send when it is out of paper, open or offline, then write the
 * receipt with a timeout. Every failure is a PrintError that says what is wrong.
 */
import net from 'node:net';
import { PrintError } from './errors.js';
import { STATUS_QUERIES, assertCanPrint, parseStatus, type PrinterStatus } from './status.js';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface TcpTimeouts {
  connectMs: number;
  writeMs: number;
  /** How long to wait for the status answers; a printer that does not answer is printed to anyway. */
  statusMs: number;
}

export const DEFAULT_TCP_TIMEOUTS: TcpTimeouts = { connectMs: 4000, writeMs: 20_000, statusMs: 1000 };

function where(t: TcpTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** A socket error → the PrintError a person can act on. */
export function mapSocketError(error: NodeJS.ErrnoException, target: TcpTarget, phase: 'connect' | 'write'): PrintError {
  const at = where(target);
  const params = { printer: at, host: target.host, port: String(target.port), detail: error.code ?? error.message };
  switch (error.code) {
    case 'ECONNREFUSED':
      return new PrintError('print.refused', `the printer at ${at} refused the connection: check that it is switched on and that the port (${target.port}) is right`, params, { cause: error });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new PrintError('print.unreachable', `the printer at ${at} cannot be reached on the network: check its cable or Wi-Fi and its IP address`, params, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new PrintError('print.host_not_found', `no printer is known by the name "${target.host}": check the address`, params, { cause: error });
    case 'ETIMEDOUT':
      return new PrintError('print.timeout', `the printer at ${at} did not answer in time`, { ...params, seconds: '' }, { cause: error });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return phase === 'connect'
        ? new PrintError('print.refused', `the printer at ${at} closed the connection at once: it may be busy with another job`, params, { cause: error })
        : new PrintError('print.connection_lost', `the connection to the printer at ${at} broke while printing: the receipt may be incomplete, so it stays in the queue`, params, { cause: error });
    default:
      return new PrintError('print.printer_error', `printing to ${at} failed: ${error.message}`, params, { cause: error });
  }
}

export interface TcpPrintResult {
  /** null when the printer did not answer the status query (many do not). */
  status: PrinterStatus | null;
  bytes: number;
}

/** Sends `data` to the printer at `target`. Resolves once the data is handed to the network. */
export function printTcp(target: TcpTarget, data: Uint8Array, timeouts: TcpTimeouts = DEFAULT_TCP_TIMEOUTS, opts: { queryStatus?: boolean } = {}): Promise<TcpPrintResult> {
  const at = where(target);
  return new Promise<TcpPrintResult>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let phase: 'connect' | 'status' | 'write' | 'done' = 'connect';
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const incoming: number[] = [];

    const arm = (ms: number, onTimeout: () => void) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };
    const finish = (error: PrintError | null, result?: TcpPrintResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(result!);
      }
    };

    arm(timeouts.connectMs, () =>
      finish(
        new PrintError('print.timeout', `the printer at ${at} did not accept a connection within ${Math.round(timeouts.connectMs / 1000)} s: check that it is on and that the address is right`, {
          printer: at,
          host: target.host,
          port: String(target.port),
          seconds: String(Math.round(timeouts.connectMs / 1000)),
        }),
      ),
    );

    socket.on('error', (error: NodeJS.ErrnoException) => finish(mapSocketError(error, target, phase === 'connect' ? 'connect' : 'write')));
    socket.on('close', () => {
      if (phase === 'status' || phase === 'write') {
        finish(new PrintError('print.connection_lost', `the printer at ${at} closed the connection before the receipt was sent: it stays in the queue`, { printer: at }));
      }
    });

    const write = (status: PrinterStatus | null) => {
      phase = 'write';
      const seconds = Math.round(timeouts.writeMs / 1000);
      arm(timeouts.writeMs, () =>
        finish(
          new PrintError('print.timeout', `the printer at ${at} stopped taking data for ${seconds} s (out of paper or jammed?): the receipt stays in the queue`, {
            printer: at,
            seconds: String(seconds),
          }),
        ),
      );
      socket.end(data, () => {
        phase = 'done';
        finish(null, { status, bytes: data.length });
        // Give the printer a moment to close its side, then let go.
        setTimeout(() => socket.destroy(), 500).unref();
      });
    };

    socket.once('connect', () => {
      socket.setNoDelay(true);
      if (opts.queryStatus === false) {
        write(null);
        return;
      }
      phase = 'status';
      const onData = (chunk: Buffer) => {
        if (phase !== 'status') return;
        incoming.push(...chunk);
        if (incoming.length >= 3) proceed();
      };
      const proceed = () => {
        if (phase !== 'status' || settled) return;
        socket.off('data', onData);
        const status = parseStatus(incoming.slice(0, 3));
        if (status) {
          try {
            assertCanPrint(status, at);
          } catch (error) {
            finish(error as PrintError);
            return;
          }
        }
        write(status);
      };
      socket.on('data', onData);
      arm(timeouts.statusMs, proceed);
      socket.write(Buffer.from(STATUS_QUERIES.flat()));
    });
  });
}
