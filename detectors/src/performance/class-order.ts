/**
 * numpy.unique's order of class names, which is also the order of a probability vector's entries
 * (NannyML's and scikit-learn's sorted classes): numbers by value when every class is one
 * (`0, 1, …, 10`), else by code point. Duplicates are dropped.
 */
export function classOrder(names: string[]): string[] {
  const unique = [...new Set(names)];
  const numeric = unique.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric
    ? unique.sort((a, b) => Number(a) - Number(b))
    : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
