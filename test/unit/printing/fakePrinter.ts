/**
 * A fake ESC/POS network printer on 127.0.0.1 for the tests (unit and e2e): it answers the
 * `DLE EOT n` status queries that come before a job like a real printer (or stays silent, or
 * reports paper out / cover open), and keeps every job's bytes (a job = one connection's bytes
 * after the status queries).
 */
import net from 'node:net';
import { statusBytes, type PrinterStatus } from '../../../electron/printing/status.js';

export interface FakePrinter {
  readonly port: number;
  readonly host: '127.0.0.1';
  /** Completed jobs (the connection ended), oldest first. */
  readonly jobs: Buffer[];
  /** What the printer reports; null: it does not answer status queries. */
  status: Partial<PrinterStatus> | null;
  /** Resolves when `n` jobs have arrived. */
  waitForJobs(n: number, ms?: number): Promise<Buffer[]>;
  close(): Promise<void>;
}

export async function startFakePrinter(opts: { port?: number; status?: Partial<PrinterStatus> | null } = {}): Promise<FakePrinter> {
  const jobs: Buffer[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const chunks: Buffer[] = [];
    let preamble = true;
    socket.on('data', (chunk) => {
      let data = chunk;
      // Status queries (10 04 n) before the job starts are answered, not part of the job.
      while (preamble && data.length >= 3 && data[0] === 0x10 && data[1] === 0x04) {
        const n = data[2]!;
        if (printer.status) {
          const [printerByte, offlineByte, paperByte] = statusBytes(printer.status);
          socket.write(Buffer.from([n === 1 ? printerByte : n === 2 ? offlineByte : paperByte]));
        }
        data = data.subarray(3);
      }
      if (data.length > 0) {
        preamble = false;
        chunks.push(data);
      }
    });
    socket.on('end', () => {
      if (chunks.length > 0) jobs.push(Buffer.concat(chunks));
      socket.end();
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const printer: FakePrinter = {
    port,
    host: '127.0.0.1',
    jobs,
    status: opts.status === undefined ? {} : opts.status,
    async waitForJobs(n, ms = 5000) {
      const end = Date.now() + ms;
      while (jobs.length < n) {
        if (Date.now() > end) throw new Error(`the fake printer got ${jobs.length} jobs, expected ${n}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return jobs.slice(0, n);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return printer;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
