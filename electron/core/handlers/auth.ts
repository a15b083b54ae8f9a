import { ApiError } from '../../contract/api.js';
import type { AuthStatus, AuthUser, authCommands } from '../../contract/commands/auth.js';
import { normalizeName } from '../../domain/pinPolicy.js';
import type { UserSummary } from '../../ledger/accounts.js';
import type { CallContext } from '../types.js';
import type { CommandHandlers } from '../dispatch.js';
import { actorName, type HandlerDeps } from './deps.js';

function publicUser(user: UserSummary): AuthUser {
  return { id: user.id, name: user.name, role: user.role, locked: user.locked, lockedUntil: user.lockedUntil };
}

/** Accounts, PINs and manager mode. PINs go to the accounts repository and nowhere else. */
export function authHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof authCommands> {
  const { accounts, sessions, hub, log } = deps;

  const status = (ctx: CallContext): AuthStatus => {
    const users = accounts.listUsers();
    return { needsSetup: users.length === 0, session: sessions.session(ctx), users: users.map(publicUser) };
  };
  const changed = (reason: 'setup' | 'signed_in' | 'user_created' | 'locked') => hub.emit({ name: 'auth.changed', payload: { reason } });

  return {
    'auth.status': (_input, ctx) => status(ctx),

    'auth.setupOwner': async (input, ctx) => {
      const actor = actorName({ userId: null, name: normalizeName(input.ownerName) ?? 'owner', role: 'owner' });
      const { owner, manager } = await accounts.setupOwner(input, actor);
      sessions.signIn(ctx, { userId: owner.id, name: owner.name, role: 'owner' });
      log.info('auth.setup', { ownerId: owner.id, managerId: manager.id });
      changed('setup');
      return status(ctx);
    },

    'auth.signIn': async ({ userId, pin }, ctx) => {
      const result = await accounts.verifyPin(userId, pin, actorName(sessions.operatorFor(ctx)));
      if (!result.ok) {
        log.warn('auth.sign_in_refused', { userId, reason: result.reason });
        switch (result.reason) {
          case 'unknown_user':
            throw new ApiError('auth.unknown_user', 'There is no such account.', { userId: String(userId) });
          case 'wrong_pin':
            throw new ApiError('auth.wrong_pin', `Wrong PIN for ${result.user.name}: ${result.attemptsLeft} attempts left before the account locks.`, {
              name: result.user.name,
              attemptsLeft: String(result.attemptsLeft),
            });
          case 'locked': {
            if (result.justLocked) changed('locked');
            const minutes = Math.max(1, Math.ceil((Date.parse(result.until) - deps.clock().getTime()) / 60_000));
            throw new ApiError('auth.locked', `${result.user.name} is locked after too many wrong PINs until ${result.until}.`, {
              name: result.user.name,
              until: result.until,
              minutes: String(minutes),
            });
          }
        }
      }
      const { user } = result;
      sessions.signIn(ctx, { userId: user.id, name: user.name, role: user.role });
      log.info('auth.signed_in', { userId: user.id, role: user.role, transport: ctx.transport });
      changed('signed_in');
      return status(ctx);
    },

    // The sign-out itself is audited and announced by the session authorizer's onEnd (startCore).
    'auth.signOut': (_input, ctx) => {
      sessions.signOut(ctx);
      return status(ctx);
    },

    'auth.createUser': async (input, ctx) => {
      const owner = sessions.requireRole(ctx, 'owner');
      if (owner.userId === null) throw new ApiError('auth.required', 'The owner must sign in for this.', { role: 'owner' });
      const user = await accounts.createUser(input, { userId: owner.userId, actor: actorName(owner) });
      log.info('auth.user_created', { userId: user.id, role: user.role });
      changed('user_created');
      return publicUser(user);
    },
  };
}
