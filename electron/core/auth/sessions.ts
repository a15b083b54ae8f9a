/**
 * Manager mode: who is signed in on each transport session (one window, one browser tab's socket).
 *
 * A sign-in lasts while its session keeps sending commands: it ends `idleMs` (60 s) after the last
 * one, or at sign-out. With nobody signed in (or after expiry) the session is the counter's
 * cashier, and `requireRole` refuses manager actions with `auth.required`; a signed-in operator
 * whose role is too low gets `auth.forbidden`. State lives in memory only: a restart signs
 * everyone out.
 */
import { ApiError } from '../../contract/api.js';
import { MANAGER_IDLE_MS, isExpired } from '../../domain/pinPolicy.js';
import type { CallContext } from '../types.js';
import type { Authorizer, Operator, Role } from './authorizer.js';

const RANK: Record<Role, number> = { cashier: 0, manager: 1, owner: 2 };

/** owner > manager > cashier. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface SignedIn {
  userId: number;
  name: string;
  role: Role;
}

export interface SessionView extends SignedIn {
  /** ISO 8601 UTC: when the session ends unless another command comes first. */
  expiresAt: string;
}

export type SessionEndReason = 'signed_out' | 'idle' | 'replaced';

export interface SessionAuthorizerOptions {
  clock: () => Date;
  /** Idle time that ends a sign-in (default 60 s). */
  idleMs?: number;
  /**
   * Told (after the current call stack, never inside a caller's transaction) when a sign-in ends.
   * Used to audit and to push `auth.changed`.
   */
  onEnd?: (sessionId: string, user: SignedIn, reason: SessionEndReason) => void;
}

/** What does not count as activity is part of the contract (the screens need to know it too). */
export { PASSIVE_COMMANDS } from '../../contract/commands/auth.js';

export interface SessionAuthorizer extends Authorizer {
  signIn(ctx: CallContext, user: SignedIn): SessionView;
  /** Ends the session's sign-in; the user who was signed in, or null. */
  signOut(ctx: CallContext): SignedIn | null;
  /** The live sign-in of this session (expiring it first if its time is up). */
  session(ctx: CallContext): SessionView | null;
  /** A command came from this session: its sign-in (if live) gets another `idleMs`. */
  touch(ctx: CallContext): void;
  /** Ends every sign-in whose time is up; returns how many ended. */
  sweep(): number;
  readonly idleMs: number;
}

interface Live extends SignedIn {
  expiresAtMs: number;
}

const COUNTER: Operator = Object.freeze({ userId: null, name: 'cashier', role: 'cashier' });

export function createSessionAuthorizer(options: SessionAuthorizerOptions): SessionAuthorizer {
  const idleMs = options.idleMs ?? MANAGER_IDLE_MS;
  if (!Number.isSafeInteger(idleMs) || idleMs <= 0) throw new RangeError(`idleMs must be a positive integer, got ${idleMs}`);
  const sessions = new Map<string, Live>();
  const now = () => options.clock().getTime();
  const key = (ctx: CallContext) => `${ctx.transport}:${ctx.sessionId}`;

  function end(k: string, live: Live, reason: SessionEndReason) {
    sessions.delete(k);
    const onEnd = options.onEnd;
    if (onEnd) {
      const user: SignedIn = { userId: live.userId, name: live.name, role: live.role };
      const sessionId = k.slice(k.indexOf(':') + 1);
      queueMicrotask(() => onEnd(sessionId, user, reason));
    }
  }

  function live(ctx: CallContext): Live | null {
    const k = key(ctx);
    const found = sessions.get(k);
    if (!found) return null;
    if (isExpired(found.expiresAtMs, now())) {
      end(k, found, 'idle');
      return null;
    }
    return found;
  }

  const view = (s: Live): SessionView => ({ userId: s.userId, name: s.name, role: s.role, expiresAt: new Date(s.expiresAtMs).toISOString() });

  return {
    idleMs,
    operatorFor(ctx) {
      const s = live(ctx);
      return s ? { userId: s.userId, name: s.name, role: s.role } : COUNTER;
    },
    requireRole(ctx, role) {
      const s = live(ctx);
      if (!s) {
        throw new ApiError('auth.required', role === 'owner' ? 'The owner must sign in for this.' : 'A manager must sign in for this.', { role });
      }
      if (!roleAtLeast(s.role, role)) {
        throw new ApiError('auth.forbidden', `This needs the ${role}; ${s.name} is signed in as ${s.role}.`, { role, current: s.role });
      }
      return { userId: s.userId, name: s.name, role: s.role };
    },
    signIn(ctx, user) {
      const k = key(ctx);
      const previous = live(ctx);
      if (previous) end(k, previous, 'replaced');
      const s: Live = { userId: user.userId, name: user.name, role: user.role, expiresAtMs: now() + idleMs };
      sessions.set(k, s);
      return view(s);
    },
    signOut(ctx) {
      const s = live(ctx);
      if (!s) return null;
      end(key(ctx), s, 'signed_out');
      return { userId: s.userId, name: s.name, role: s.role };
    },
    session(ctx) {
      const s = live(ctx);
      return s ? view(s) : null;
    },
    touch(ctx) {
      const s = live(ctx);
      if (s) s.expiresAtMs = now() + idleMs;
    },
    sweep() {
      const at = now();
      let ended = 0;
      for (const [k, s] of [...sessions]) {
        if (isExpired(s.expiresAtMs, at)) {
          end(k, s, 'idle');
          ended++;
        }
      }
      return ended;
    },
  };
}
