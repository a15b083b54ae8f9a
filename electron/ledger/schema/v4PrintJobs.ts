/**
 * Schema v4: print jobs. Every receipt copy Countersign prints is recorded before it is sent, so a
 * printer that is off, out of paper or unplugged leaves the job waiting for a reprint instead of
 * losing the receipt; the receipt's data is kept whole (JSON, masked card only) so the reprint is
 * the same receipt. A print job never touches the charge it is about: printing again can never
 * void or refund twice.
 */
import type { Migration } from '../migrations.js';

export const V4_PRINT_JOBS_SCHEMA = `
CREATE TABLE print_jobs (
  id          INTEGER PRIMARY KEY,
  -- The receipt as printed (ReceiptData: kind, copy, references, masked card, amount…).
  receipt     TEXT NOT NULL CHECK (json_valid(receipt) AND json_type(receipt) = 'object'),
  kind        TEXT NOT NULL CHECK (kind IN ('SALE','VOID','REFUND','SETTLEMENT')),
  reprint     INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
  copy        TEXT NOT NULL CHECK (copy IN ('customer','merchant')),
  locale      TEXT NOT NULL CHECK (locale IN ('zh-CN','en')),
  charge_id   INTEGER REFERENCES charges(id),
  printer_id  TEXT NOT NULL CHECK (printer_id <> ''),
  state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','printed','failed')),
  attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error  TEXT CHECK (last_error IS NULL OR (json_valid(last_error) AND json_type(last_error) = 'object')),
  -- Where it went (e.g. the PDF file), once printed.
  output      TEXT,
  created_at  TEXT NOT NULL,
  printed_at  TEXT,
  actor       TEXT NOT NULL CHECK (actor <> ''),
  CHECK ((state = 'printed') = (printed_at IS NOT NULL)),
  CHECK (state <> 'failed' OR last_error IS NOT NULL)
) STRICT;
-- The queue: jobs not printed yet, oldest first.
CREATE INDEX print_jobs_open ON print_jobs(id) WHERE state <> 'printed';
CREATE INDEX print_jobs_charge ON print_jobs(charge_id) WHERE charge_id IS NOT NULL;
`;

export const v4PrintJobs: Migration = {
  version: 4,
  name: 'print jobs',
  up(db) {
    db.exec(V4_PRINT_JOBS_SCHEMA);
  },
};
