import { z } from 'zod';
import { NoInput } from './common.js';

/** Staff roles, highest first: owner > manager > cashier. */
export const Role = z.enum(['owner', 'manager', 'cashier']);
export type Role = z.infer<typeof Role>;

/** An account as any screen may see it: never a PIN, a hash or a salt. */
export const AuthUser = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  role: Role,
  locked: z.boolean(),
  /** ISO 8601 UTC while locked, else null. */
  lockedUntil: z.string().nullable(),
});
export type AuthUser = z.infer<typeof AuthUser>;

/** Who is signed in on the calling session (manager mode), and until when unless they keep working. */
export const AuthSession = z.object({
  userId: z.number().int().positive(),
  name: z.string(),
  role: Role,
  /** ISO 8601 UTC; every command from the session moves it on. */
  expiresAt: z.string(),
});
export type AuthSession = z.infer<typeof AuthSession>;

export const AuthStatus = z.object({
  /** No accounts yet: the owner must set the shop up (the counter works meanwhile). */
  needsSetup: z.boolean(),
  session: AuthSession.nullable(),
  users: z.array(AuthUser),
});
export type AuthStatus = z.infer<typeof AuthStatus>;

/**
 * Pushed to every screen when sign-ins or accounts change. It carries no names and no session: each
 * screen asks `auth.status` for what concerns it.
 */
export const AuthChanged = z.object({
  reason: z.enum(['setup', 'signed_in', 'signed_out', 'expired', 'user_created', 'locked']),
});

/**
 * Commands that do not count as activity for manager mode: what screens fetch by themselves (on a
 * timer, after a pushed event, on reconnect). Every other command from a signed-in session gives it
 * another idle period; an idle screen must not keep a manager signed in for ever.
 */
export const PASSIVE_COMMANDS: ReadonlySet<string> = new Set([
  'auth.status',
  'status.get',
  'charges.queue',
  'charges.pendingIds',
  'charges.today',
  // The counter re-reads these after every pushed charge change (renderer/store/counter.ts).
  'batch.status',
  'settings.counter.get',
  // The incident dashboard re-reads itself after every pushed incident change, its approval policy
  // and the export panel's status on opening (renderer/store/incidents.ts): a dashboard left open
  // on an office screen must not keep a manager signed in.
  'incidents.dashboard',
  'incidents.approvalPolicy',
  'export.status',
  // The setup wizard and Settings read these on opening, on reconnect and after a link change.
  'setup.get',
  'setup.terminals',
  'backups.list',
]);

// Only bounded here: which PIN rule a new PIN breaks is the core's answer (auth.weak_pin {rule}),
// and a zod message would not say it. Neither ever echoes the value.
const Pin = z.string().max(64);
const Name = z.string().max(200);

/** Accounts, PINs and manager mode. */
export const authCommands = {
  'auth.status': { input: NoInput, output: AuthStatus },
  'auth.setupOwner': {
    input: z.object({ ownerName: Name, ownerPin: Pin, managerName: Name, managerPin: Pin }).strict(),
    output: AuthStatus,
  },
  'auth.signIn': {
    input: z.object({ userId: z.number().int().positive(), pin: z.string().min(1).max(64) }).strict(),
    output: AuthStatus,
  },
  'auth.signOut': { input: NoInput, output: AuthStatus },
  'auth.createUser': {
    input: z.object({ name: Name, role: z.enum(['manager', 'cashier']), pin: Pin }).strict(),
    output: AuthUser,
  },
} as const;
