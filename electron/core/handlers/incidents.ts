import type { incidentCommands } from '../../contract/commands/incidents.js';
import { STEP_ROLES } from '../../domain/incidentWorkflow.js';
import {
  addIncidentNote,
  createIncident,
  incidentDashboard,
  linkIncidentCharge,
  listIncidents,
  logContactAttempt,
  setIncidentContact,
  updateIncidentFacts,
} from '../../ledger/incidentCases.js';
import { approvalPolicy, setSelfApproval } from '../../ledger/approvalPolicy.js';
import type { CallContext } from '../types.js';
import type { CommandHandlers } from '../dispatch.js';
import type { Operator } from '../auth/authorizer.js';
import { actorName, type HandlerDeps } from './deps.js';

/** What the incident handlers use (tests build them without a terminal). */
export type IncidentHandlerDeps = Pick<HandlerDeps, 'ledger' | 'auth' | 'clock' | 'incidents' | 'exports' | 'dialogs'>;

function isManager(op: Operator): boolean {
  return op.role === 'manager' || op.role === 'owner';
}

export function incidentHandlers(deps: IncidentHandlerDeps): Pick<CommandHandlers, keyof typeof incidentCommands> {
  const { ledger, incidents } = deps;
  /** The detail for this caller: a manager sees the customer's contact, anyone else only masked. */
  const detailFor = (id: number, ctx: CallContext) => incidents.detail(id, isManager(deps.auth.operatorFor(ctx)));
  const manager = (ctx: CallContext) => actorName(deps.auth.requireRole(ctx, 'manager'));
  const anyone = (ctx: CallContext) => actorName(deps.auth.operatorFor(ctx));
  const changed = <T extends { id: number }>(summary: T, ctx: CallContext) => {
    incidents.changed(summary as never);
    return detailFor(summary.id, ctx);
  };

  return {
    'incidents.list': (filter) => listIncidents(ledger, filter),
    'incidents.get': ({ id }, ctx) => detailFor(id, ctx),
    'incidents.create': (input, ctx) => changed(createIncident(ledger, input, manager(ctx)), ctx),
    'incidents.step': async (input, ctx) => {
      const actor = STEP_ROLES[input.action] === 'manager' ? manager(ctx) : anyone(ctx);
      const summary = await incidents.step(input, actor);
      return detailFor(summary.id, ctx);
    },
    'incidents.note': ({ id, text }, ctx) => changed(addIncidentNote(ledger, id, text, anyone(ctx)), ctx),
    'incidents.contactAttempt': ({ id, channel, outcome, note }, ctx) =>
      changed(logContactAttempt(ledger, id, { channel, outcome, ...(note ? { note } : {}) }, anyone(ctx)), ctx),
    'incidents.setContact': ({ id, ...contact }, ctx) => changed(setIncidentContact(ledger, id, contact, anyone(ctx)), ctx),
    'incidents.updateFacts': ({ id, ...facts }, ctx) => changed(updateIncidentFacts(ledger, id, facts, manager(ctx)), ctx),
    'incidents.addEvidence': async ({ id, path, note }, ctx) => {
      const summary = await incidents.addEvidence(id, path, note, manager(ctx));
      return detailFor(summary.id, ctx);
    },
    'incidents.linkCharge': ({ id, chargeId, role }, ctx) => changed(linkIncidentCharge(ledger, id, chargeId, role, manager(ctx)), ctx),
    'incidents.dashboard': ({ weeks }) => incidentDashboard(ledger, weeks, deps.clock()),
    'incidents.approvalPolicy': () => approvalPolicy(ledger),
    'incidents.setSelfApproval': ({ allowed }, ctx) => setSelfApproval(ledger, allowed, actorName(deps.auth.requireRole(ctx, 'owner'))),
    'files.choose': async ({ kind }, ctx) => {
      deps.auth.requireRole(ctx, 'manager');
      if (!deps.dialogs) return { supported: false, path: null };
      return { supported: true, path: await deps.dialogs.choose(kind) };
    },
    'export.start': async (input, ctx) => {
      const actor = manager(ctx);
      const { exportId } = await deps.exports.start(input, actor);
      return { exportId };
    },
    'export.cancel': ({ exportId }, ctx) => {
      deps.auth.requireRole(ctx, 'manager');
      return { cancelled: deps.exports.cancel(exportId) };
    },
    'export.status': () => deps.exports.status(),
  };
}
