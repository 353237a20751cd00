import { BenchmarkId } from './options';

export interface Side {
  /** what the figure is, e.g. "raw better-sqlite3, 1 row/txn" */
  label: string;
  rounds: number[];
  median: number;
  /** the table cell, when more than the median belongs there (e.g. latencies) */
  cell?: string;
}

export interface BenchResult {
  id: BenchmarkId;
  title: string;
  unit: string;
  system: Side;
  raw?: Side;
  /** system median / raw median */
  ratio?: number;
  target: string;
  pass: boolean;
  /** further figures of the run (latencies, batch sizes, checks), one per line */
  details: string[];
}
