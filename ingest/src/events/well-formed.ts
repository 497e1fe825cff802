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

/** Replaces lone surrogates in every string and key, in place; answers whether it changed any. */
export function makeWellFormed(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  let changed = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (!item.isWellFormed()) {
          value[i] = item.toWellFormed();
          changed = true;
        }
      } else if (makeWellFormed(item, depth + 1)) changed = true;
    }
    return changed;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === 'string' && !item.isWellFormed()) {
      object[key] = item.toWellFormed();
      changed = true;
    } else if (makeWellFormed(item, depth + 1)) changed = true;
    if (!key.isWellFormed()) {
      object[key.toWellFormed()] = object[key];
      delete object[key];
      changed = true;
    }
  }
  return changed;
}
