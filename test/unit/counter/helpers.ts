/**
 * A small core for the counter's tests: the real ledger, intake, handlers, dispatcher (the contract
 * boundary), event hub, request runner and simulated terminal — with a fake authorizer, so a test
 * says who is signed in on which session instead of going through accounts and PINs.
 */
import { ApiError, type ApiEvent, type CommandInput, type CommandName, type CommandOutput } from '../../../electron/contract/api.js';
import { createChargeIntake } from '../../../electron/core/chargeIntake.js';
import { chargeFromMessage } from '../../../electron/core/chargeFromMessage.js';
import { createDispatcher, type CommandHandlers } from '../../../electron/core/dispatch.js';
import { createEventHub } from '../../../electron/core/events.js';
import type { Authorizer, Operator, Role } from '../../../electron/core/auth/authorizer.js';
import { chargeHandlers } from '../../../electron/core/handlers/charges.js';
import { counterHandlers } from '../../../electron/core/handlers/counter.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { RequestRunner } from '../../../electron/core/requestRunner.js';
import { TerminalManager } from '../../../electron/core/terminalManager.js';
import type { CallContext } from '../../../electron/core/types.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { tempLedgerFile, testClock } from '../ledger/helpers.js';

const RANK: Record<Role, number> = { cashier: 0, manager: 1, owner: 2 };
const CASHIER: Operator = { userId: null, name: 'cashier', role: 'cashier' };

/** Who is signed in on each session, set by the test. */
export function fakeAuthorizer() {
  const signedIn = new Map<string, Operator>();
  const auth: Authorizer = {
    operatorFor: (ctx) => signedIn.get(ctx.sessionId) ?? CASHIER,
    requireRole: (ctx, role) => {
      const op = signedIn.get(ctx.sessionId);
      if (!op) throw new ApiError('auth.required', 'A manager must sign in for this.', { role });
      if (RANK[op.role] < RANK[role]) throw new ApiError('auth.forbidden', `needs ${role}`, { role, current: op.role });
      return op;
    },
  };
  return {
    auth,
    signIn: (sessionId: string, name: string, role: Role = 'manager', userId = 7) => signedIn.set(sessionId, { userId, name, role }),
    signOut: (sessionId: string) => signedIn.delete(sessionId),
  };
}

export interface TestCore {
  ledger: Ledger;
  clock: ReturnType<typeof testClock>;
  events: ApiEvent[];
  intake: ReturnType<typeof createChargeIntake>;
  authz: ReturnType<typeof fakeAuthorizer>;
  terminal: TerminalManager | null;
  requests: RequestRunner | null;
  /** Calls a command through the dispatcher, values crossing as JSON like over any transport. */
  call<N extends CommandName>(name: N, input: CommandInput<N>, sessionId?: string): Promise<CommandOutput<N>>;
  close(): Promise<void>;
}

export async function testCore({ withTerminal = false, clock = testClock('2026-11-23T06:00:00.000Z', 1000) } = {}): Promise<TestCore> {
  const ledger = await openLedger(tempLedgerFile(), { clock });
  const hub = createEventHub();
  const events: ApiEvent[] = [];
  hub.subscribe((e) => events.push(e));
  const intake = createChargeIntake({ ledger, hub, log: silentLogger });
  const authz = fakeAuthorizer();
  let terminal: TerminalManager | null = null;
  let requests: RequestRunner | null = null;
  if (withTerminal) {
    const t = new TerminalManager({
      choice: 'simulator',
      log: silentLogger,
      simStatusIntervalMs: 0,
      sessionTuning: { responseTimeoutMs: 1500 },
      onLinkState: () => {},
      handlers: {
        onCharge: (m) => {
          intake(chargeFromMessage(m));
        },
        onLinkError: () => {},
        onConnected: () => {
          void requests?.resolveUnknown().catch(() => undefined);
        },
      },
    });
    terminal = t;
    requests = new RequestRunner(ledger, t, silentLogger);
    await t.start();
  }
  const deps = {
    ledger,
    hub,
    auth: authz.auth,
    log: silentLogger,
    clock: () => new Date(),
    requests: requests as RequestRunner,
    terminal: terminal as TerminalManager,
  };
  // Only the counter's commands are wired: calling anything else is a test bug.
  const handlers = { ...chargeHandlers(deps), ...counterHandlers(deps) } as unknown as CommandHandlers;
  const dispatch = createDispatcher(handlers, silentLogger);
  const json = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
  return {
    ledger,
    clock,
    events,
    intake,
    authz,
    terminal,
    requests,
    async call(name, input, sessionId = 'counter') {
      const ctx: CallContext = { transport: 'inproc', sessionId };
      return json(await dispatch(name, json(input), ctx)) as never;
    },
    async close() {
      await terminal?.stop();
      ledger.close();
    },
  };
}

/** Polls until `probe` returns something other than undefined. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The ApiError (or LedgerError-shaped error) a promise rejects with. */
export async function errorOf(p: Promise<unknown>): Promise<{ code: string; params: Record<string, string>; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; params: Record<string, string>; message: string };
  }
  throw new Error('expected a rejection');
}
