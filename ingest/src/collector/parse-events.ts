import { HttpError } from './http';

export interface ParsedBody {
  /** One entry per event, in order; `undefined` where an NDJSON line was not JSON. */
  items: unknown[];
  /** NDJSON lines that did not parse, by index. */
  unparsable: Map<number, string>;
}

/** A body of one JSON object, a JSON array of objects, or NDJSON (one object per line). */
export function parseEvents(contentType: string | undefined, body: Buffer): ParsedBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return { items: parseJson(body), unparsable: new Map() };
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return parseNdjson(body);
  throw new HttpError(
    415,
    `Content-Type '${type || '(none)'}' is not supported; send application/json or application/x-ndjson`,
  );
}

function parseJson(body: Buffer): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return [value];
  throw new HttpError(400, 'body must be a JSON object or an array of objects');
}

function parseNdjson(body: Buffer): ParsedBody {
  const items: unknown[] = [];
  const unparsable = new Map<number, string>();
  for (const line of body.toString('utf8').split('\n')) {
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
