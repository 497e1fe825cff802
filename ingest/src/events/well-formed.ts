/**
 * JSON may escape a lone UTF-16 surrogate (`"\ud800"`, what `'😀'.slice(0, 1)` serialises to),
 * which no UTF-8 store can hold: ClickHouse refuses the whole insert. Every string of an event
 * (values and keys) is made well-formed the way the WHATWG encoders do, each lone surrogate
 * becoming U+FFFD, so the event is kept and no neighbour of it fails. The SDKs do the same before
 * sending, so the stored text is the same whichever path it took.
 */

// A `\uD800`–`\uDFFF` escape in JSON text. Raw UTF-8 cannot carry a surrogate (the decoder already
// replaced it), so text without such an escape needs no walk. A surrogate *pair* matches as well;
// the walk then finds nothing to change.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

export function mayHoldLoneSurrogates(jsonText: string): boolean {
  return jsonText.includes('\\u') && SURROGATE_ESCAPE.test(jsonText);
}

// An event is an object of maps of scalars (or a vector): nothing valid is deeper than this, and a
// hostile body nested 100,000 deep must not exhaust the stack (validation refuses it anyway).
const MAX_DEPTH = 8;

/** What making one event well-formed did. */
export interface Repair {
  /** Whether any string or key held a lone surrogate. */
  changed: boolean;
  /**
   * Set when two keys of one map become the same key (`"f\ud800"` and `"f\udc00"` are both
   * `"f\ufffd"`): one of the two values would be lost, so the event is refused with this reason.
   */
  collision?: string;
}

/** Replaces lone surrogates in every string and key of `event`, in place. */
export function repairEvent(event: unknown): Repair {
  const repair: Repair = { changed: false };
  walk(event, '', 0, repair);
  return repair;
}

function walk(value: unknown, path: string, depth: number, repair: Repair): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (!item.isWellFormed()) {
          value[i] = item.toWellFormed();
          repair.changed = true;
        }
      } else walk(item, `${path}[${i}]`, depth + 1, repair);
    }
    return;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (const key of keys) {
    const item = object[key];
    if (typeof item === 'string' && !item.isWellFormed()) {
      object[key] = item.toWellFormed();
      repair.changed = true;
    } else
      walk(item, path ? `${path}.${key.toWellFormed()}` : key.toWellFormed(), depth + 1, repair);
    if (key.isWellFormed()) continue;
    repair.changed = true;
    const wellFormed = key.toWellFormed();
    if (Object.hasOwn(object, wellFormed) && repair.collision === undefined) {
      const other = keys.find((k) => k !== key && k.toWellFormed() === wellFormed);
      repair.collision =
        `${path || 'event'}: the names ${JSON.stringify(other)} and ${JSON.stringify(key)} are both ` +
        `${JSON.stringify(wellFormed)} once lone UTF-16 surrogates are replaced with U+FFFD, and one ` +
        'value would be lost; rename one';
    }
    object[wellFormed] = object[key];
    delete object[key];
  }
}
