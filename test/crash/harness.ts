/**
 * The crash harness (`npm run test:crash [-- --kills N] [--seed S] [--keep] [--verbose]`).
 *
 * A real host process (`countersign host --backend socket:PATH`, driven over its WebSocket API like
 * its own page), the simulated terminal in its own process (`countersign sim serve`), random work
 * (charges, confirm, flag, incident steps, void, refund, settle) and SIGKILL of the host at random
 * moments — during start-up, mid-work, the instant the terminal takes a void/refund or a settlement,
 * mid-charge-burst — then a restart, again and again. A restart signs everyone out, so after each
 * one a manager signs back in (the owner and the manager taking turns: four eyes on incidents), and
 * voids, full and partial refunds, settlements and incident steps run often and are cut mid-flight;
 * the run prints how many of each were attempted, answered, refused or cut, and how many kills
 * landed mid-request. At the end, against what the terminal itself did:
 *   - every charge the terminal approved is in the ledger exactly once;
 *   - every void/refund the terminal executed is in the ledger exactly once (after the host asked
 *     about lost answers with QT), no approved one the terminal did not execute, and the terminal
 *     never executed one host request (SEQ) twice;
 *   - every settlement the terminal made is recorded once, matched;
 *   - the ledger's totals per batch equal the terminal's;
 *   - `countersign verify-log` passes, `PRAGMA integrity_check` is ok, the newest backup verifies.
 * Prints `kills=N lost=L doubled=D chain=ok|broken`; exits 1 on any loss, double, broken chain or
 * other mismatch (listed on stderr).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { SimControlClient, type SimDaemonState } from '../../native/sim/daemon.js';
import { createRng, type SimRng } from '../../native/sim/rng.js';

// ---------------------------------------------------------------- options

interface Options {
  kills: number;
  seed: number;
  keep: boolean;
  verbose: boolean;
  root: string;
  dist: string;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const inline = argv.find((a) => a.startsWith(`--${name}=`));
    return inline?.slice(name.length + 3);
  };
  const kills = Number(value('kills') ?? 200);
  const seed = Number(value('seed') ?? Math.floor(Math.random() * 2 ** 31));
  if (!Number.isSafeInteger(kills) || kills < 1) throw new Error('--kills takes a positive whole number');
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed takes a whole number');
  return {
    kills,
    seed,
    keep: argv.includes('--keep'),
    verbose: argv.includes('--verbose'),
    root: path.resolve(value('root') ?? process.cwd()),
    dist: value('dist') ?? process.env.COUNTERSIGN_DIST ?? '.dist-crash',
  };
}

// ---------------------------------------------------------------- small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class HostGone extends Error {
  constructor() {
    super('the host is gone');
  }
}

interface ApiErrorShape {
  code: string;
  message: string;
}

class ApiCallError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The host's WebSocket API, authenticated like its own page (cookie from host.json, same origin). */
class HostClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      let message: { id?: number; result?: unknown; error?: ApiErrorShape; event?: string };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return;
      }
      if (typeof message.id !== 'number') return;
      const w = this.waiting.get(message.id);
      if (!w) return;
      this.waiting.delete(message.id);
      if (message.error) w.reject(new ApiCallError(message.error.code, message.error.message));
      else w.resolve(message.result);
    });
    const gone = () => {
      this.closed = true;
      for (const w of this.waiting.values()) w.reject(new HostGone());
      this.waiting.clear();
    };
    ws.on('close', gone);
    ws.on('error', gone);
  }

  static connect(port: number, token: string): Promise<HostClient> {
    return new Promise((resolve, reject) => {
      const origin = `http://127.0.0.1:${port}`;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Origin: origin, Cookie: `countersign_session=${token}` } });
      ws.once('open', () => resolve(new HostClient(ws)));
      ws.once('error', () => reject(new HostGone()));
    });
  }

  call<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closed) return Promise.reject(new HostGone());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------- processes

const OWNER_PIN = '482916';
const MANAGER_PIN = '730594';

interface Paths {
  work: string;
  data: string;
  socket: string;
  logs: string;
}

function cli(opts: Options, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [path.join(opts.root, 'bin', 'countersign.mjs'), ...args], {
    cwd: opts.root,
    env: { ...process.env, COUNTERSIGN_DIST: opts.dist, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startDaemon(opts: Options, paths: Paths): Promise<{ child: ChildProcess; control: string }> {
  const child = cli(opts, ['sim', 'serve', '--socket', paths.socket, '--seed', String(opts.seed), '--status-ms', '1000', '--quiet']);
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}): ${out}`)));
  });
  const info = JSON.parse(line) as { control: string };
  return { child, control: info.control };
}

interface HostRun {
  child: ChildProcess;
  /** Resolves with the host's port and token once it serves, rejects if it exits first. */
  ready: Promise<{ port: number; token: string }>;
  exited: Promise<number | null>;
  stderr: () => string;
  spawnedAt: number;
}

function startHost(opts: Options, paths: Paths, cycle: number, backupDelayMs = 5000): HostRun {
  // The daily backup starts `backupDelayMs` after start: early in some cycles, so kills land mid-backup too.
  const child = cli(opts, ['host', '--data', paths.data, '--no-open', '--backend', `socket:${paths.socket}`], {
    COUNTERSIGN_BACKUP_DELAY_MS: String(backupDelayMs),
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ port: number; token: string }>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (!out.includes('Stop with')) return;
      try {
        const info = JSON.parse(readFileSync(path.join(paths.data, 'host.json'), 'utf8')) as { port: number; token: string; pid: number };
        if (info.pid !== child.pid) throw new Error(`host.json is from pid ${info.pid}, not ${child.pid}`);
        resolve({ port: info.port, token: info.token });
      } catch (e) {
        reject(e as Error);
      }
    });
    void exited.then((code) => reject(new Error(`host (cycle ${cycle}) exited with ${code} before it served: ${err.slice(-2000)}`)));
  });
  ready.catch(() => {});
  return { child, ready, exited, stderr: () => err, spawnedAt: Date.now() };
}

// ---------------------------------------------------------------- the work

type Mode = 'startup' | 'random' | 'adjust' | 'settle' | 'burst' | 'incident';

/** A manager operation's fate: the call went out; its answer came, it was refused, or the host died first. */
interface ManagerTally {
  attempted: number;
  answered: number;
  refused: number;
  cut: number;
}

interface Stats {
  ops: Record<string, number>;
  errors: Record<string, number>;
  kills: Record<string, number>;
  /** By kind: void, refund-full, refund-partial, settle, incident:<action>. */
  manager: Record<string, ManagerTally>;
  /** Kills that landed while a manager operation was in flight, by the operation's kind. */
  killsMidRequest: Record<string, number>;
  /** Cycles whose screen tried a manager action before signing in (must be auth.required). */
  cashierRefused: number;
  hostStartMs: number[];
  /** Wall time per cycle mode: [cycles, total ms]. */
  cycleMs: Record<string, [number, number]>;
}

interface Cycle {
  host: HostRun;
  api: HostClient | null;
  killed: boolean;
  kill(reason: string): void;
}

function pickWeighted<T extends string>(rng: SimRng, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

interface ChargeView {
  id: number;
  amountMinor: number;
  status: string;
  trace: string;
}

const gone = (e: unknown) => e instanceof HostGone;

/**
 * Signs in as a manager would after every restart (a restart ends every session): the owner or the
 * manager, taking turns, so that one proposes an incident's resolution and the other approves it.
 */
async function signIn(api: HostClient, as: 'owner' | 'manager' = 'owner'): Promise<void> {
  const status = await api.call<{ needsSetup: boolean; users: { id: number; role: string }[] }>('auth.status');
  if (status.needsSetup) {
    await api.call('auth.setupOwner', { ownerName: 'Owner Crash', ownerPin: OWNER_PIN, managerName: 'Manager Crash', managerPin: MANAGER_PIN });
    return;
  }
  const user = status.users.find((u) => u.role === as);
  if (!user) throw new Error(`no ${as} account`);
  await api.call('auth.signIn', { userId: user.id, pin: as === 'owner' ? OWNER_PIN : MANAGER_PIN });
}

class Work {
  constructor(
    private readonly rng: SimRng,
    private readonly ctl: SimControlClient,
    private readonly stats: Stats,
    /** Rejects with HostGone when this cycle's host is gone: nothing waits on a dead host. */
    private readonly hostGone: Promise<never>,
  ) {}

  /** Signed in as a manager on this cycle's screen (manager actions allowed). */
  manager = false;
  /** Who is signed in on this cycle's screen. */
  signedInAs: 'owner' | 'manager' = 'owner';

  async signIn(api: HostClient, as: 'owner' | 'manager'): Promise<void> {
    await signIn(api, as);
    this.signedInAs = as;
    this.manager = true;
  }

  signInOther(api: HostClient): Promise<void> {
    return this.signIn(api, this.signedInAs === 'owner' ? 'manager' : 'owner');
  }

  /** Manager operations whose call is out and not yet answered (what a kill lands in the middle of). */
  readonly inFlight = new Map<number, string>();
  private nextFlight = 1;

  /** One manager operation over the API, tallied by kind: attempted, answered, refused, or cut by a kill. */
  async managerCall<T>(kind: string, api: HostClient, method: string, params: Record<string, unknown> = {}): Promise<T> {
    const tally = (this.stats.manager[kind] ??= { attempted: 0, answered: 0, refused: 0, cut: 0 });
    const flight = this.nextFlight++;
    tally.attempted++;
    this.inFlight.set(flight, kind);
    try {
      const out = await api.call<T>(method, params);
      tally.answered++;
      return out;
    } catch (e) {
      if (gone(e)) tally.cut++;
      else tally.refused++;
      throw e;
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** Waits for the terminal to have delivered everything, unless the host dies first. */
  idle(timeoutMs: number): Promise<void> {
    return Promise.race([this.ctl.idle(timeoutMs), this.hostGone]);
  }

  private count(op: string) {
    this.stats.ops[op] = (this.stats.ops[op] ?? 0) + 1;
  }

  private error(e: unknown) {
    if (gone(e)) throw e;
    const code = e instanceof ApiCallError ? e.code : `js:${(e as Error).message.slice(0, 60)}`;
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  async charge(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) {
      await this.ctl.charge({ amountMinor: this.rng.int(100, 80_000) });
      this.count('charge');
    }
  }

  private async recent(api: HostClient): Promise<ChargeView[]> {
    return api.call<ChargeView[]>('charges.history', { limit: 300 });
  }

  async confirm(api: HostClient, all = false): Promise<void> {
    const queue = await api.call<ChargeView[]>('charges.queue');
    const picks = all ? queue : queue.length ? [this.rng.pick(queue)] : [];
    for (const c of picks) {
      try {
        await api.call('charges.confirm', { chargeId: c.id });
        this.count('confirm');
      } catch (e) {
        this.error(e);
      }
    }
  }

  async flag(api: HostClient): Promise<void> {
    const queue = await api.call<ChargeView[]>('charges.queue');
    if (!queue.length) return;
    const c = this.rng.pick(queue);
    try {
      await api.call('charges.flag', { chargeId: c.id, intendedMinor: 0, cause: 'duplicate', note: 'crash harness' });
      this.count('flag');
    } catch (e) {
      this.error(e);
    }
  }

  /** A void (open batch) or refund (settled) of a random charge, whichever the ledger allows. */
  async adjust(api: HostClient, candidates?: ChargeView[]): Promise<boolean> {
    const pool = (candidates ?? (await this.recent(api))).filter((c) => ['pending', 'confirmed', 'flagged', 'partially_refunded'].includes(c.status));
    if (!pool.length) return false;
    const c = this.rng.pick(pool);
    let preview: { mode: 'void' | 'refund' | null; maxMinor: number; minMinor: number };
    try {
      preview = await api.call('adjust.preview', { chargeId: c.id });
    } catch (e) {
      this.error(e);
      return false;
    }
    if (!preview.mode) return false;
    const amountMinor =
      preview.mode === 'void' || preview.minMinor >= preview.maxMinor || this.rng.next() < 0.5
        ? preview.maxMinor
        : this.rng.int(preview.minMinor, preview.maxMinor - 1);
    const kind = preview.mode === 'void' ? 'void' : amountMinor === preview.maxMinor ? 'refund-full' : 'refund-partial';
    try {
      const out = await this.managerCall<{ adjustment: { state: string } }>(kind, api, 'adjust.execute', {
        chargeId: c.id,
        mode: preview.mode,
        amountMinor,
        reason: 'customer_request',
        note: 'crash harness',
      });
      this.count(`${preview.mode}:${out.adjustment.state}`);
    } catch (e) {
      this.error(e);
    }
    return true;
  }

  /**
   * One step of the incident of a flagged (or since voided) charge, towards voiding it on the
   * terminal through the incident (`execute` method terminal) and closing it. False: nothing to do.
   */
  async incidentStep(api: HostClient): Promise<boolean> {
    const flagged = (await this.recent(api)).filter((c) => c.status === 'flagged' || (c.status === 'voided' && this.rng.next() < 0.3));
    if (!flagged.length) return false;
    const c = this.rng.pick(flagged);
    let preview: { incidentId: number | null; maxMinor: number; mode: string | null; adjustments: { id: number; kind: string; state: string }[] };
    try {
      preview = await api.call('adjust.preview', { chargeId: c.id });
    } catch (e) {
      this.error(e);
      return false;
    }
    if (preview.incidentId === null) return false;
    const id = preview.incidentId;
    let detail: { status: string };
    try {
      detail = await api.call('incidents.get', { id });
    } catch (e) {
      this.error(e);
      return false;
    }
    const status = detail.status;
    const voided = preview.adjustments.find((a) => a.kind === 'void' && a.state === 'approved');
    const step: Record<string, unknown> | null =
      status === 'open'
        ? { action: 'start_verification' }
        : status === 'verifying'
          ? { action: 'propose_resolution', resolution: 'void', amountMinor: c.amountMinor, note: 'duplicate swipe (crash harness)' }
          : status === 'resolution_proposed'
            ? { action: 'submit_for_review' }
            : status === 'manager_review'
              ? { action: 'approve' }
              : status === 'approved' && preview.mode
                ? { action: 'execute', method: 'terminal' }
                : status === 'approved' && voided
                  ? { action: 'execute', method: 'adjustment', adjustmentId: voided.id }
                  : status === 'executed'
                    ? { action: 'notify_customer', channel: 'in_person' }
                    : status === 'customer_notified'
                      ? { action: 'close', rootCause: 'second swipe (crash harness)', prevention: 'training' }
                      : null;
    if (!step) return false;
    const kind = `incident:${String(step.action)}`;
    try {
      await this.managerCall(kind, api, 'incidents.step', { id, ...step });
      this.count(kind);
    } catch (e) {
      this.error(e);
      // Four eyes: who proposed or submitted may not approve. The other manager signs in and does.
      if (e instanceof ApiCallError && e.code === 'incident.same_approver') {
        await this.signInOther(api);
        try {
          await this.managerCall(kind, api, 'incidents.step', { id, ...step });
          this.count(kind);
        } catch (again) {
          this.error(again);
        }
      }
    }
    return true;
  }

  async hasFlagged(api: HostClient): Promise<boolean> {
    return (await this.recent(api)).some((c) => c.status === 'flagged');
  }

  /** Everything the batch needs, then SE. */
  async settle(api: HostClient): Promise<void> {
    await this.idle(20_000); // every charge the terminal took is in the ledger first
    await this.confirm(api, true);
    for (let round = 0; round < 3; round++) {
      const status = await api.call<{ blockers: { kind: string; charge: ChargeView }[] }>('batch.status');
      if (!status.blockers.length) break;
      for (const b of status.blockers) {
        if (b.kind === 'unconfirmed') {
          try {
            await api.call('charges.confirm', { chargeId: b.charge.id });
          } catch (e) {
            this.error(e);
          }
        } else await this.adjust(api, [b.charge]);
      }
    }
    try {
      await this.managerCall('settle', api, 'batch.settle');
      this.count('settle');
    } catch (e) {
      this.error(e);
    }
  }

  async random(api: HostClient): Promise<void> {
    // A cashier's screen tries a manager action now and then (refused), not all the time.
    const m = this.manager ? 1 : 0.1;
    const op = pickWeighted(this.rng, { charge: 30, confirm: 26, flag: 4, adjust: 14 * m, incident: 6, settle: 5 * m, status: 14 });
    switch (op) {
      case 'charge':
        return this.charge(this.rng.int(1, 2));
      case 'confirm':
        return this.confirm(api);
      case 'flag':
        return this.flag(api);
      case 'adjust':
        await this.adjust(api);
        return;
      case 'incident':
        await this.incidentStep(api);
        return;
      case 'settle':
        return this.settle(api);
      case 'status':
        await api.call('batch.status');
        await api.call('status.get');
        return;
    }
  }
}

// ---------------------------------------------------------------- invariants

interface Verdict {
  lost: number;
  doubled: number;
  chainOk: boolean;
  problems: string[];
  summary: Record<string, number>;
}

function checkInvariants(opts: Options, dbFile: string, sim: SimDaemonState): Verdict {
  const problems: string[] = [];
  let lost = 0;
  let doubled = 0;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);

    // Charges: every approved one exactly once (the UNIQUE key makes "twice" a different row).
    const charges = db.prepare('SELECT id, terminal_id, batch, trace, amount_minor FROM charges').all() as {
      id: number;
      terminal_id: string;
      batch: string;
      trace: string;
      amount_minor: number;
    }[];
    const byKey = new Map<string, (typeof charges)[number][]>();
    for (const c of charges) {
      const k = `${c.terminal_id}/${c.batch}/${c.trace}`;
      byKey.set(k, [...(byKey.get(k) ?? []), c]);
    }
    const simKeys = new Set<string>();
    for (const c of sim.charges) {
      const k = `${c.terminalId}/${c.batch}/${c.trace}`;
      simKeys.add(k);
      const rows = byKey.get(k) ?? [];
      if (rows.length === 0) {
        lost++;
        problems.push(`charge ${k} (${c.amountMinor}) approved by the terminal is not in the ledger`);
      } else if (rows.length > 1) {
        doubled += rows.length - 1;
        problems.push(`charge ${k} is in the ledger ${rows.length} times`);
      } else if (rows[0]!.amount_minor !== c.amountMinor) {
        problems.push(`charge ${k}: ledger amount ${rows[0]!.amount_minor}, terminal ${c.amountMinor}`);
      }
    }
    for (const k of byKey.keys()) {
      if (!simKeys.has(k)) {
        doubled++;
        problems.push(`charge ${k} is in the ledger but the terminal never approved it`);
      }
    }

    // The terminal's at-most-once log: one execution per host SEQ.
    const seen = new Map<string, number>();
    for (const e of sim.executed) seen.set(e.seq, (seen.get(e.seq) ?? 0) + 1);
    for (const [seq, n] of seen) {
      if (n > 1) {
        doubled += n - 1;
        problems.push(`the terminal executed host request ${seq} ${n} times`);
      }
    }
    const executedBySeq = new Map(sim.executed.map((e) => [e.seq, e]));

    // Voids and refunds.
    const adjustments = db
      .prepare(
        `SELECT a.id, a.kind, a.amount_minor, a.state, a.rc, a.trace, a.request_seq, a.request_id, c.batch AS charge_batch
         FROM adjustments a JOIN charges c ON c.id = a.charge_id ORDER BY a.id`,
      )
      .all() as {
      id: number;
      kind: 'void' | 'refund';
      amount_minor: number;
      state: string;
      rc: string | null;
      trace: string | null;
      request_seq: string;
      request_id: number;
      charge_batch: string;
    }[];
    const approvedByTrace = new Map<string, number>();
    for (const a of adjustments) {
      const e = executedBySeq.get(a.request_seq);
      if (a.state === 'sent' || a.state === 'unknown') {
        problems.push(`${a.kind} #${a.id} (SEQ ${a.request_seq}) is still ${a.state} after the host resolved its unknowns`);
        if (e?.rc === '00') lost++;
        continue;
      }
      if (a.state === 'approved') {
        if (!e || e.rc !== '00' || e.type !== (a.kind === 'void' ? 'VD' : 'RF')) {
          doubled++;
          problems.push(`${a.kind} #${a.id} (SEQ ${a.request_seq}) is approved in the ledger but the terminal did not execute it`);
        } else if (e.response.TR !== a.trace || Number(e.request.AM) !== a.amount_minor) {
          problems.push(`${a.kind} #${a.id}: ledger trace/amount ${a.trace}/${a.amount_minor}, terminal ${e.response.TR}/${Number(e.request.AM)}`);
        }
        if (a.trace) approvedByTrace.set(a.trace, (approvedByTrace.get(a.trace) ?? 0) + 1);
      } else if (a.state === 'declined' && e?.rc === '00') {
        lost++;
        problems.push(`${a.kind} #${a.id} (SEQ ${a.request_seq}) is declined in the ledger but the terminal executed it`);
      }
    }
    for (const e of sim.executed) {
      if ((e.type !== 'VD' && e.type !== 'RF') || e.rc !== '00') continue;
      const n = approvedByTrace.get(e.response.TR ?? '') ?? 0;
      if (n === 0) {
        lost++;
        problems.push(`the terminal executed ${e.type} ${e.seq} (trace ${e.response.TR}) but the ledger has no approved ${e.type === 'VD' ? 'void' : 'refund'} for it`);
      } else if (n > 1) {
        doubled += n - 1;
        problems.push(`${e.type} trace ${e.response.TR} is approved ${n} times in the ledger`);
      }
    }

    // Requests the ledger still does not know the outcome of (queries aside: moot once answered).
    const open = db.prepare("SELECT seq, type, state FROM host_requests WHERE type <> 'QT' AND state IN ('pending','unknown')").all() as {
      seq: string;
      type: string;
      state: string;
    }[];
    for (const r of open) problems.push(`host request ${r.type} ${r.seq} is still ${r.state}`);

    // Settlements: each SE the terminal approved is recorded once, and matched.
    const settlements = db
      .prepare(
        `SELECT id, batch, request_seq, request_id, matched, terminal_sale_count, terminal_sale_minor, terminal_void_count, terminal_void_minor,
                terminal_refund_count, terminal_refund_minor, ledger_sale_count, ledger_sale_minor, ledger_void_count, ledger_void_minor,
                ledger_refund_count, ledger_refund_minor
         FROM settlements ORDER BY request_id`,
      )
      .all() as Record<string, number | string>[];
    const settledSeqs = new Map<string, number>();
    for (const s of settlements) settledSeqs.set(String(s.request_seq), (settledSeqs.get(String(s.request_seq)) ?? 0) + 1);
    const simBatches = new Map(sim.batches.map((b) => [b.batch, b]));
    for (const e of sim.executed) {
      if (e.type !== 'SE' || e.rc !== '00') continue;
      const n = settledSeqs.get(e.seq) ?? 0;
      if (n === 0) {
        lost++;
        problems.push(`the terminal settled batch ${e.response.BT} (SE ${e.seq}) but the ledger has no settlement for it`);
      } else if (n > 1) {
        doubled += n - 1;
        problems.push(`settlement SE ${e.seq} is recorded ${n} times`);
      }
    }
    for (const s of settlements) {
      const e = executedBySeq.get(String(s.request_seq));
      if (!e || e.type !== 'SE' || e.rc !== '00') {
        doubled++;
        problems.push(`settlement #${s.id} (SE ${s.request_seq}) is recorded but the terminal did not settle`);
        continue;
      }
      const b = simBatches.get(String(s.batch));
      const want = b && [b.saleCount, b.saleMinor, b.voidCount, b.voidMinor, b.refundCount, b.refundMinor];
      const terminalSide = [s.terminal_sale_count, s.terminal_sale_minor, s.terminal_void_count, s.terminal_void_minor, s.terminal_refund_count, s.terminal_refund_minor].map(Number);
      const ledgerSide = [s.ledger_sale_count, s.ledger_sale_minor, s.ledger_void_count, s.ledger_void_minor, s.ledger_refund_count, s.ledger_refund_minor].map(Number);
      if (!want || want.join() !== terminalSide.join()) problems.push(`settlement #${s.id} batch ${s.batch}: terminal figures ${terminalSide.join('/')} ≠ the terminal's batch ${want?.join('/')}`);
      if (!want || want.join() !== ledgerSide.join()) problems.push(`settlement #${s.id} batch ${s.batch}: ledger figures ${ledgerSide.join('/')} ≠ the terminal's batch ${want?.join('/')}`);
      if (!s.matched) problems.push(`settlement #${s.id} batch ${s.batch} did not match`);
    }

    // Totals per batch: the ledger (its charges, its approved voids by the charge's batch, its
    // approved refunds in the batch open when they were made) against the terminal's batches.
    const seRequests = settlements.map((s) => ({ requestId: Number(s.request_id), batch: String(s.batch) }));
    const refundBatch = (requestId: number) => seRequests.find((s) => s.requestId > requestId)?.batch ?? sim.openBatch;
    const ledgerTotals = new Map<string, number[]>();
    const add = (batch: string, i: number, amount: number) => {
      const t = ledgerTotals.get(batch) ?? [0, 0, 0, 0, 0, 0];
      t[i] = t[i]! + 1;
      t[i + 1] = t[i + 1]! + amount;
      ledgerTotals.set(batch, t);
    };
    for (const c of charges) add(c.batch, 0, c.amount_minor);
    for (const a of adjustments) {
      if (a.state !== 'approved') continue;
      if (a.kind === 'void') add(a.charge_batch, 2, a.amount_minor);
      else add(refundBatch(a.request_id), 4, a.amount_minor);
    }
    for (const b of sim.batches) {
      const want = [b.saleCount, b.saleMinor, b.voidCount, b.voidMinor, b.refundCount, b.refundMinor];
      const got = ledgerTotals.get(b.batch) ?? [0, 0, 0, 0, 0, 0];
      if (want.join() !== got.join()) problems.push(`batch ${b.batch}: ledger totals ${got.join('/')} ≠ terminal ${want.join('/')}`);
    }
    for (const batch of ledgerTotals.keys()) if (!simBatches.has(batch)) problems.push(`the ledger has batch ${batch} the terminal never had`);

    const summary = {
      charges: charges.length,
      voids: adjustments.filter((a) => a.kind === 'void' && a.state === 'approved').length,
      refunds: adjustments.filter((a) => a.kind === 'refund' && a.state === 'approved').length,
      declined: adjustments.filter((a) => a.state === 'declined').length,
      settlements: settlements.length,
      batches: sim.batches.length,
      hostRequests: Number(db.prepare('SELECT count(*) FROM host_requests').pluck().get()),
      queries: Number(db.prepare("SELECT count(*) FROM host_requests WHERE type = 'QT'").pluck().get()),
      auditRows: Number(db.prepare('SELECT count(*) FROM audit_log').pluck().get()),
    };
    db.close();

    // The audit chain, by the CLI the shop would use.
    const verify = spawnSync(process.execPath, [path.join(opts.root, 'bin', 'countersign.mjs'), 'verify-log', '--db', dbFile], {
      cwd: opts.root,
      env: { ...process.env, COUNTERSIGN_DIST: opts.dist },
      encoding: 'utf8',
    });
    const chainOk = verify.status === 0;
    if (!chainOk) problems.push(`verify-log: ${verify.stdout}${verify.stderr}`.trim());

    // The newest backup verifies too.
    const backups = path.join(path.dirname(dbFile), 'backups');
    const files = existsSync(backups) ? readdirSync(backups) : [];
    const leftovers = files.filter((f) => f.includes('.tmp'));
    if (leftovers.length) problems.push(`backup temporaries left behind: ${leftovers.join(', ')}`);
    const newest = files.filter((f) => f.endsWith('.db') && !f.startsWith('.')).sort().pop();
    if (newest) {
      const b = spawnSync(process.execPath, [path.join(opts.root, 'bin', 'countersign.mjs'), 'verify-log', '--db', path.join(backups, newest)], {
        cwd: opts.root,
        env: { ...process.env, COUNTERSIGN_DIST: opts.dist },
        encoding: 'utf8',
      });
      if (b.status !== 0) problems.push(`backup ${newest} does not verify: ${b.stdout}${b.stderr}`.trim());
    }
    return { lost, doubled, chainOk, problems, summary: { ...summary, backups: files.filter((f) => f.endsWith('.db')).length } };
  } finally {
    if (db.open) db.close();
  }
}

// ---------------------------------------------------------------- the run

async function runCycle(opts: Options, paths: Paths, rng: SimRng, ctl: SimControlClient, stats: Stats, index: number, log: (m: string) => void): Promise<void> {
  const mode = pickWeighted<Mode>(rng, { startup: 16, random: 34, adjust: 18, settle: 14, burst: 8, incident: 10 });
  const host = startHost(opts, paths, index, rng.int(0, 600));
  let work: Work | null = null;
  const cycle: Cycle = {
    host,
    api: null,
    killed: false,
    kill(reason: string) {
      if (this.killed) return;
      this.killed = true;
      host.child.kill('SIGKILL');
      stats.kills[reason] = (stats.kills[reason] ?? 0) + 1;
      // The end of a cycle is a kill too, but one that waits for nothing: not "mid-request".
      if (reason === 'end') return;
      for (const kind of new Set(work?.inFlight.values() ?? [])) stats.killsMidRequest[kind] = (stats.killsMidRequest[kind] ?? 0) + 1;
    },
  };
  let unexpectedExit: number | null | undefined;
  void host.exited.then((code) => {
    if (!cycle.killed) unexpectedExit = code;
  });
  const hostGone = host.exited.then(() => Promise.reject(new HostGone()));
  hostGone.catch(() => {});
  work = new Work(rng, ctl, stats, hostGone);
  let off: (() => void) | null = null;
  try {
    if (mode === 'startup') {
      await sleep(rng.int(0, 450));
      cycle.kill('startup');
      return;
    }
    const { port, token } = await host.ready;
    stats.hostStartMs.push(Date.now() - host.spawnedAt);
    const api = await HostClient.connect(port, token);
    cycle.api = api;
    // A restart signed everyone out. Now and then the screen first tries a manager action as the
    // cashier (it must be refused); then the manager signs back in, as they would at the till.
    if (rng.next() < 0.1) {
      const refused = await api.call('batch.settle').then(
        () => null,
        (e: unknown) => (e instanceof ApiCallError ? e.code : Promise.reject(e)),
      );
      if (refused !== 'auth.required') throw new Error(`a signed-out screen's batch.settle was not refused with auth.required (${refused})`);
      stats.cashierRefused++;
    }
    await work.signIn(api, index % 2 === 0 ? 'owner' : 'manager');
    if (mode === 'random') {
      const at = rng.int(0, 400);
      setTimeout(() => cycle.kill('random'), at);
      while (!cycle.killed) await work.random(api);
    } else if (mode === 'adjust' || mode === 'settle' || mode === 'incident') {
      const want = mode === 'settle' ? ['SE'] : ['VD', 'RF'];
      const jitter = rng.int(0, 6);
      // Now and then the first void/refund is let through, so that they also complete (receipts,
      // events, the next one) and are not all cut in the middle.
      let spare = mode !== 'settle' && rng.next() < 0.35 ? 1 : 0;
      off = await ctl.subscribe((event) => {
        if (event.event === 'request' && event.replay === false && want.includes(String(event.type))) {
          if (spare-- > 0) return;
          if (jitter === 0) cycle.kill(`mid-${mode}`);
          else setTimeout(() => cycle.kill(`mid-${mode}`), jitter);
        }
      });
      setTimeout(() => cycle.kill(`${mode}-fallback`), mode === 'settle' ? 5000 : 1500);
      while (!cycle.killed) {
        if (mode === 'settle') await work.settle(api);
        else if (mode === 'incident') {
          // Walk one flagged charge's incident to its void on the terminal (killed the moment it executes).
          if (!(await work.incidentStep(api))) {
            await work.charge(1);
            await work.idle(10_000);
            if (!(await work.hasFlagged(api))) await work.flag(api);
            else await work.adjust(api); // an incident that cannot move (a void in doubt…): plain work meanwhile
          }
          continue;
        } else if (!(await work.adjust(api))) {
          await work.charge(1);
          await work.idle(10_000);
        }
        if (!cycle.killed) await work.random(api);
      }
    } else {
      const n = rng.int(3, 8);
      await work.charge(n);
      await sleep(rng.int(0, 60));
      cycle.kill('mid-burst');
    }
  } catch (e) {
    if (!gone(e) && !cycle.killed) throw e;
    if (!gone(e) && !(e instanceof ApiCallError) && opts.verbose) log(`cycle ${index}: ${(e as Error).message}`);
  } finally {
    off?.();
    cycle.kill('end');
    cycle.api?.close();
    await host.exited;
    const t = stats.cycleMs[mode] ?? [0, 0];
    stats.cycleMs[mode] = [t[0] + 1, t[1] + Date.now() - host.spawnedAt];
    if (unexpectedExit !== undefined) {
      writeFileSync(path.join(paths.logs, `host-${index}.stderr`), host.stderr());
      throw new Error(`the host exited by itself (code ${unexpectedExit}) in cycle ${index} (${mode}):\n${host.stderr().slice(-3000)}`);
    }
  }
}

async function settleDown(opts: Options, paths: Paths, ctl: SimControlClient, log: (m: string) => void): Promise<void> {
  const host = startHost(opts, paths, -1);
  const { port, token } = await host.ready;
  const api = await HostClient.connect(port, token);
  await signIn(api);
  await ctl.idle(30_000);
  const dbFile = path.join(paths.data, 'countersign.db');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const open = db.prepare("SELECT count(*) FROM host_requests WHERE type <> 'QT' AND state IN ('pending','unknown')").pluck().get() as number;
    const sent = db.prepare("SELECT count(*) FROM adjustments WHERE state IN ('sent','unknown')").pluck().get() as number;
    // A settlement the terminal made whose answer a kill cut off is recorded by the start itself
    // (QT, then the settlement), without any screen asking for the batch status.
    const unrecorded = db
      .prepare("SELECT count(*) FROM host_requests r WHERE r.type = 'SE' AND r.state = 'answered' AND r.rc = '00' AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.request_id = r.id)")
      .pluck()
      .get() as number;
    db.close();
    if (open === 0 && sent === 0 && unrecorded === 0) break;
    if (Date.now() > deadline) {
      log(`still unresolved after 60 s: ${open} request(s), ${sent} adjustment(s), ${unrecorded} settlement(s) not recorded`);
      break;
    }
    await sleep(100);
  }
  await ctl.idle(30_000);
  api.close();
  host.child.kill('SIGTERM');
  const code = await host.exited;
  if (code !== 0) throw new Error(`the host did not stop cleanly (exit ${code}): ${host.stderr().slice(-2000)}`);
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  const started = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'cs-crash-'));
  const paths: Paths = { work, data: path.join(work, 'data'), socket: path.join(work, 't.sock'), logs: work };
  const log = (m: string) => process.stderr.write(`crash: ${m}\n`);
  log(`seed ${opts.seed}, ${opts.kills} kills, work folder ${work}`);
  const rng = createRng(opts.seed);
  const stats: Stats = { ops: {}, errors: {}, kills: {}, manager: {}, killsMidRequest: {}, cashierRefused: 0, hostStartMs: [], cycleMs: {} };
  const daemon = await startDaemon(opts, paths);
  const ctl = await SimControlClient.connect(daemon.control);
  let kills = 0;
  let failed = false;
  try {
    for (let i = 0; kills < opts.kills; i++) {
      await runCycle(opts, paths, rng, ctl, stats, i, log);
      kills = Object.values(stats.kills).reduce((s, n) => s + n, 0);
      if (opts.verbose || (i + 1) % 50 === 0) log(`${kills} kills, ${Math.round((Date.now() - started) / 1000)} s`);
    }
    await settleDown(opts, paths, ctl, log);
    const sim = await ctl.state();
    const verdict = checkInvariants(opts, path.join(paths.data, 'countersign.db'), sim);
    const starts = [...stats.hostStartMs].sort((a, b) => a - b);
    const p = (q: number) => starts[Math.min(starts.length - 1, Math.floor(q * starts.length))] ?? 0;
    log(`kills by moment: ${JSON.stringify(stats.kills)}`);
    log(`cycle wall time by mode (cycles, mean ms): ${JSON.stringify(Object.fromEntries(Object.entries(stats.cycleMs).map(([k, [n, ms]]) => [k, [n, Math.round(ms / n)]])))}`);
    log(`operations: ${JSON.stringify(stats.ops)}`);
    log(`refused operations (expected, by code): ${JSON.stringify(stats.errors)}; signed-out screens refused: ${stats.cashierRefused}`);
    const tallies = Object.entries(stats.manager).sort(([a], [b]) => a.localeCompare(b));
    log(`manager operations attempted/answered/refused/cut by a kill: ${tallies.map(([k, t]) => `${k} ${t.attempted}/${t.answered}/${t.refused}/${t.cut}`).join(', ')}`);
    const midRequest = Object.values(stats.killsMidRequest).reduce((a, n) => a + n, 0);
    log(`kills mid-request (a manager call in flight): ${midRequest} of ${kills}: ${JSON.stringify(stats.killsMidRequest)}`);
    const executedOk = (type: string) => sim.executed.filter((e) => e.type === type && e.rc === '00').length;
    log(
      `terminal executed (approved): VD ${executedOk('VD')}, RF ${executedOk('RF')}, SE ${executedOk('SE')}, QT ${sim.executed.filter((e) => e.type === 'QT').length}; ledger: ${verdict.summary.voids} voids, ${verdict.summary.refunds} refunds, ${verdict.summary.settlements} settlements`,
    );
    log(`ledger: ${JSON.stringify(verdict.summary)}; terminal: ${sim.charges.length} charges, ${sim.executed.length} requests executed, ${sim.connections} host connections`);
    log(`host start to serving: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms; wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const problem of verdict.problems.slice(0, 50)) log(`PROBLEM: ${problem}`);
    process.stdout.write(`kills=${kills} lost=${verdict.lost} doubled=${verdict.doubled} chain=${verdict.chainOk ? 'ok' : 'broken'}\n`);
    failed = verdict.lost > 0 || verdict.doubled > 0 || !verdict.chainOk || verdict.problems.length > 0;
  } catch (e) {
    failed = true;
    log(`FAILED: ${(e as Error).stack ?? (e as Error).message}`);
  } finally {
    ctl.close();
    daemon.child.kill('SIGTERM');
    await new Promise((r) => daemon.child.once('exit', r));
    if (!opts.keep && !failed) rmSync(work, { recursive: true, force: true });
    else log(`work folder kept: ${work}`);
  }
  return failed ? 1 : 0;
}
