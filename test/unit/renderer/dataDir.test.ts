/**
 * The data-folder store (move, progress, the "use the ledger already there" offer) and the
 * sentences it needs: every `datadir.*` error code the core can raise has one in both languages.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import { DataDirPhase, DataDirSource, type DataDirState } from '../../../electron/contract/commands/dataDir.js';
import { mergedTranslations } from '../../../renderer/i18n/bundles.js';
import { createDataDirStore } from '../../../renderer/store/dataDir.js';
import { deferred, fakeApi, tick } from './fakeApi.js';

const STATE: DataDirState = {
  dataDir: '/home/shop/.config/Countersign',
  source: 'default',
  pinned: false,
  osDefault: '/home/shop/.config/Countersign',
  locationFile: '/home/shop/.config/Countersign/location.json',
  locationProblem: null,
  canRestart: false,
  moved: null,
  moving: false,
};

function leaf(locale: 'en' | 'zh-CN', key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), mergedTranslations(locale));
}

describe('the data-folder store', () => {
  it('shows the progress events while a move runs, then the result', async () => {
    const answer = deferred<DataDirState>();
    const fake = fakeApi({ 'datadir.get': () => STATE, 'datadir.move': () => answer.promise });
    const store = createDataDirStore({ api: fake.api });
    const stop = store.getState().start();
    await tick();
    expect(store.getState().state).toEqual(STATE);
    const moving = store.getState().move('/mnt/till');
    expect(store.getState().busy).toBe(true);
    fake.emit({ name: 'datadir.progress', payload: { phase: 'copying', done: 256, total: 1024 } });
    expect(store.getState().progress).toEqual({ phase: 'copying', done: 256, total: 1024 });
    const moved = { ...STATE, moved: { from: STATE.dataDir, to: '/mnt/till', usedExisting: false, tables: 12, rows: 40, auditRows: 9, ledgerBytes: 4096, files: 1, fileBytes: 10, at: '2026-11-26T09:00:00.000Z' } };
    answer.resolve(moved);
    await moving;
    expect(store.getState()).toMatchObject({ busy: false, progress: null, error: null, state: moved });
    expect(fake.callsTo('datadir.move')).toEqual([{ name: 'datadir.move', input: { folder: '/mnt/till', useExisting: false } }]);
    stop();
  });

  it('a folder holding a ledger is offered to be used as it is; using it asks with useExisting', async () => {
    let calls = 0;
    const fake = fakeApi({
      'datadir.get': () => STATE,
      'datadir.move': (input) => {
        calls++;
        if (!input.useExisting) throw new ApiError('datadir.holds_ledger', 'holds a ledger', { folder: '/mnt/old-till' });
        return { ...STATE, moving: false };
      },
    });
    const store = createDataDirStore({ api: fake.api });
    await store.getState().move('/mnt/old-till');
    expect(store.getState().error?.code).toBe('datadir.holds_ledger');
    expect(store.getState().offerExisting).toBe('/mnt/old-till');
    await store.getState().move(store.getState().offerExisting!, true);
    expect(calls).toBe(2);
    expect(fake.callsTo('datadir.move')[1]!.input).toEqual({ folder: '/mnt/old-till', useExisting: true });
    expect(store.getState()).toMatchObject({ error: null, offerExisting: null });
  });
});

describe('data-folder sentences', () => {
  const sources = ['electron/core/dataDirService.ts', 'electron/ledger/ledgerCopy.ts'].map((f) => readFileSync(fileURLToPath(new URL(`../../../${f}`, import.meta.url)), 'utf8'));
  const codes = [...new Set(sources.flatMap((s) => [...s.matchAll(/(?:ApiError|LedgerError)\(\s*'datadir\.([a-z_]+)'/g)].map((m) => m[1]!)))].sort();

  it('finds the codes the core raises', () => {
    expect(codes).toEqual(expect.arrayContaining(['holds_ledger', 'inside_current', 'pinned', 'restart_required', 'verify_failed']));
  });

  it.each(['en', 'zh-CN'] as const)('%s has a sentence for every error code, source and phase', (locale) => {
    const missing = [
      ...codes.map((c) => `datadir.errors.${c}`),
      ...DataDirSource.options.map((s) => `datadir.source.${s}`),
      ...DataDirPhase.options.map((p) => `datadir.phase.${p}`),
    ].filter((key) => typeof leaf(locale, key) !== 'string');
    expect(missing).toEqual([]);
  });
});
