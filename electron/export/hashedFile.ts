/**
 * A file being exported: encoded into chunks of ~512 KiB, each chunk's write awaited before the
 * next one is sent (backpressure: however fast rows are produced, at most one chunk is in flight
 * and one being filled), hashed (SHA-256) and counted as it goes, synced to disk before it is closed. Created exclusively:
 * an export never overwrites a file.
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

/** Rows are gathered into chunks of this size before they are written. */
const CHUNK = 512 * 1024;
/** Room past a chunk's size, so the chunk that is sealed is a whole one (no concat before its write). */
const SLACK = 64 * 1024;

export class HashedFile {
  private readonly hash: Hash = createHash('sha256');
  /** Written, hashed, waiting for the disk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The chunk being filled: text is encoded straight into it, hashed once it is full. */
  private buf: Buffer = Buffer.allocUnsafe(CHUNK + SLACK);
  private off = 0;
  private written = 0;
  private closed = false;
  /** The one write on its way to the disk: the next chunk waits for it (double buffering). */
  private inflight: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly handle: fsp.FileHandle,
  ) {}

  static async create(path: string): Promise<HashedFile> {
    return new HashedFile(path, await fsp.open(path, 'wx', 0o644));
  }

  /** Buffers `data` (UTF-8 for text); hashed in order, written by a later flush. */
  append(data: string | Buffer): void {
    if (data.length === 0) return;
    if (typeof data === 'string') {
      // A UTF-8 character is at most 3 bytes per UTF-16 unit.
      this.room(data.length * 3);
      this.commit(this.off + this.buf.write(data, this.off, 'utf8'));
      return;
    }
    this.seal();
    this.take(data);
  }

  /**
   * For writers that encode into the chunk themselves (export/csvSql.ts): the chunk and where to
   * write, with room for `bytes`; `commit` says where the written bytes end.
   */
  reserve(bytes: number): { buf: Buffer; off: number } {
    this.room(bytes);
    return { buf: this.buf, off: this.off };
  }

  commit(end: number): void {
    this.off = end;
    if (this.off >= CHUNK) this.seal();
  }

  private room(bytes: number): void {
    if (this.off + bytes <= this.buf.length) return;
    this.seal();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  private take(buf: Buffer): void {
    this.hash.update(buf);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
  }

  /** The chunk being filled joins what waits for the disk; a new one is started. */
  private seal(): void {
    if (this.off === 0) return;
    this.take(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(CHUNK + SLACK);
    this.off = 0;
  }

  get needsFlush(): boolean {
    return this.pendingBytes >= CHUNK;
  }

  private async writeAll(buf: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buf.length) {
      const { bytesWritten } = await this.handle.write(buf, offset, buf.length - offset);
      offset += bytesWritten;
    }
    this.written += buf.length;
  }

  /**
   * Sends what is buffered to the disk (when there is a chunk's worth, or always with `force`).
   * Resolves once the PREVIOUS chunk is written: at most one chunk is in flight and one is being
   * filled, whatever the speed of the disk (backpressure).
   */
  async flush(force = false): Promise<void> {
    if (force) this.seal();
    if (this.pendingBytes === 0 || (!force && this.pendingBytes < CHUNK)) return;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const previous = this.inflight;
    if (previous) await previous;
    this.inflight = this.writeAll(buf);
    // A failed write surfaces at the next flush/finish; never as an unhandled rejection.
    this.inflight.catch(() => undefined);
  }

  /** Flushes, syncs and closes; the file's SHA-256 (hex) and size. */
  async finish(): Promise<{ sha256: string; bytes: number }> {
    await this.flush(true);
    if (this.inflight) await this.inflight;
    this.inflight = null;
    await this.handle.sync();
    await this.handle.close();
    this.closed = true;
    return { sha256: this.hash.digest('hex'), bytes: this.written };
  }

  /** Closes and deletes the file (a cancelled or failed export leaves nothing half-written). */
  async discard(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await fsp.rm(this.path, { force: true });
  }
}

/** SHA-256 and size of a file, read in chunks (flat memory whatever its size). */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const handle = await fsp.open(path, 'r');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
