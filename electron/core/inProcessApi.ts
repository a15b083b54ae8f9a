import { ApiError, type CountersignApi } from '../contract/api.js';
import type { CoreApi } from './types.js';

/**
 * The third transport: the renderer's `CountersignApi` straight onto the core, for tests. Values
 * cross as JSON, like over IPC or the WebSocket, so nothing works here that would not work there.
 */
export function createInProcessApi(core: CoreApi, sessionId = 'inproc'): CountersignApi {
  const roundTrip = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
  return {
    async invoke(name, input) {
      try {
        return roundTrip(await core.dispatch(name, roundTrip(input), { transport: 'inproc', sessionId })) as never;
      } catch (error) {
        if (error instanceof ApiError) throw new ApiError(error.code, error.message, error.params);
        throw error;
      }
    },
    subscribe(listener) {
      return core.subscribe((event) => listener(roundTrip(event)));
    },
  };
}
