import { StoreError } from '@osprey/db';

/** A row the store refused, by its index in what was inserted, with ClickHouse's reason. */
export interface RefusedRow {
  index: number;
  error: string;
}

/** Inserts some of the rows; `range` names them for a deduplication token of their own. */
export type InsertRows = (lines: readonly string[], range: string) => Promise<void>;

/**
 * Inserts `lines` in one insert; when the store refuses it for its data (a refused insert stores
 * nothing), halves it until the refused rows stand alone, so every other row is stored and only
 * those are answered as refused: a row never fails its neighbours. A failure that is not about
 * the data (an outage) is thrown as it is, for the caller to retry. The halves are cut the same way
 * on every retry, so each range's token stays the same and a retried range is not stored twice.
 * Costs one insert when nothing is refused, about 2·k·log2(n) when k of n rows are.
 */
export async function insertIsolating(
  lines: readonly string[],
  insert: InsertRows,
): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const attempt = async (start: number, end: number, range: string): Promise<void> => {
    try {
      await insert(start === 0 && end === lines.length ? lines : lines.slice(start, end), range);
    } catch (err) {
      if (!(err instanceof StoreError && err.isBadData)) throw err;
      if (end - start === 1) {
        refused.push({ index: start, error: reason(err) });
        return;
      }
      const middle = start + Math.ceil((end - start) / 2);
      await attempt(start, middle, `${start}-${middle}`);
      await attempt(middle, end, `${middle}-${end}`);
    }
  };
  if (lines.length > 0) await attempt(0, lines.length, '');
  return refused;
}

/**
 * ClickHouse's messages run to many lines (the row it could not parse, a stack) and end with the
 * error's name: the first line says why, the name what kind. "(at row 1)" counts within the
 * one-row insert, so it says nothing and is dropped.
 */
function reason(err: StoreError): string {
  let line = err.message
    .split('\n', 1)[0]!
    .replace(/:? \(at row \d+\)\s*$/, '')
    .trim();
  if (line.length > 300) line = `${line.slice(0, 300)}…`;
  return err.type && !line.includes(err.type) ? `${line} (${err.type})` : line;
}
