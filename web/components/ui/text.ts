/** Short forms of text that may run long (feature names, categories, lists of them). */

/** The first names of a list, then how many more: "a, b, c and 1,997 more". */
export function someOf(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).map((n) => truncate(n, 40));
  const rest = names.length - head.length;
  return rest > 0 ? `${head.join(', ')} and ${rest.toLocaleString('en-US')} more` : head.join(', ');
}

/** At most `max` characters, the last an ellipsis; cut between code points, never inside one. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * An identifier cut where a reader would break it: after `_ . - / :` and before a capital that
 * follows a lower-case letter ("distance_to_center_km" → "distance_", "to_", "center_", "km").
 */
export function identifierParts(name: string): string[] {
  return name.split(/(?<=[_./:-])|(?<=\p{Ll})(?=\p{Lu})/u).filter(Boolean);
}
