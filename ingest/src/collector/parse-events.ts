import { HttpError } from './http';
import { mayHoldLoneSurrogates, repairEvent } from '../events/well-formed';

export interface ParsedBody {
  /** One entry per event, in order; `undefined` where an NDJSON line was not JSON. */
  items: unknown[];
  /**
   * Events refused before validation, with the reason, by index: NDJSON lines that did not parse,
   * and events in which two names became one when their lone surrogates were replaced.
   */
  unparsable: Map<number, string>;
  /** Events in which a lone UTF-16 surrogate was replaced with U+FFFD (well-formed.ts). */
  repaired: number;
}

/** A body of one JSON object, a JSON array of objects, or NDJSON (one object per line). */
export function parseEvents(contentType: string | undefined, body: Buffer): ParsedBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const ndjson = type === 'application/x-ndjson' || type === 'application/jsonl';
  if (!ndjson && type !== 'application/json') throw unsupported(type);
  const text = body.toString('utf8');
  const parsed = ndjson ? parseNdjson(text) : { items: parseJson(text), unparsable: new Map() };
  let repaired = 0;
  if (mayHoldLoneSurrogates(text))
    parsed.items.forEach((item, index) => {
      const { changed, collision } = repairEvent(item);
      if (changed) repaired++;
      if (collision) parsed.unparsable.set(index, collision);
    });
  return { ...parsed, repaired };
}

function unsupported(type: string): HttpError {
  return new HttpError(
    415,
    `Content-Type '${type || '(none)'}' is not supported; send application/json or application/x-ndjson`,
  );
}

function parseJson(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return [value];
  throw new HttpError(400, 'body must be a JSON object or an array of objects');
}

function parseNdjson(text: string): Omit<ParsedBody, 'repaired'> {
  const items: unknown[] = [];
  const unparsable = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch (err) {
      unparsable.set(items.length, `event: line is not valid JSON (${(err as Error).message})`);
      items.push(undefined);
    }
  }
  if (items.length > 0 && unparsable.size === items.length) {
    throw new HttpError(400, 'body is not valid NDJSON: no line parsed as JSON');
  }
  return { items, unparsable };
}
