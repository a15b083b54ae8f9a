import type { ApiEvent } from '../contract/api.js';

/** Who is calling: the transport the call came over and that transport's session. */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'inproc';
  sessionId: string;
}

/** The core as every transport sees it: validated commands in, events out. */
export interface CoreApi {
  /** Validates `input` against the contract, runs the command, validates the output. Throws ApiError. */
  dispatch(name: unknown, input: unknown, ctx: CallContext): Promise<unknown>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}
