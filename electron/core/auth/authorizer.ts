import { ApiError } from '../../contract/api.js';
import type { CallContext } from '../types.js';

export type Role = 'cashier' | 'manager' | 'owner';

export interface Operator {
  userId: number | null;
  name: string;
  role: Role;
}

/**
 * Who is acting for a transport session, and whether they may. Every handler that changes money or
 * settings asks this, so the audit log always names a person.
 */
export interface Authorizer {
  /** The actor for audit rows: the signed-in manager/owner, else the counter's cashier. */
  operatorFor(ctx: CallContext): Operator;
  /** The signed-in operator with at least `role` (owner > manager > cashier); else ApiError auth.required / auth.forbidden. */
  requireRole(ctx: CallContext, role: 'manager' | 'owner'): Operator;
}

/** The counter with nobody signed in: everyone is the cashier, and manager actions are refused. */
export const counterOnlyAuthorizer: Authorizer = {
  operatorFor: () => ({ userId: null, name: 'cashier', role: 'cashier' }),
  requireRole: () => {
    throw new ApiError('auth.required', 'A manager must sign in for this.');
  },
};

export function actorName(operator: Operator): string {
  return operator.role === 'cashier' && operator.userId === null ? 'cashier' : `${operator.role}:${operator.name}`;
}
