import { AppStatus, AuditVerification } from '../schemas.js';
import { NoInput } from './common.js';

/** The app's status and its audit chain. */
export const systemCommands = {
  'status.get': { input: NoInput, output: AppStatus },
  'audit.verify': { input: NoInput, output: AuditVerification },
} as const;
