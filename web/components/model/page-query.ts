import { resolveRange } from '@/components/ui/time-range';

/** A page's query string, as Next.js hands it over. */
export type Params = Record<string, string | string[] | undefined>;

/** A query parameter's first value. */
export const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * What every page of a model reads from its route and query: the model, the query itself, the
 * picked range and the segment (`tag` = `value`, both given), if any.
 */
export async function modelPageQuery(props: {
  params: Promise<{ model: string }>;
  searchParams: Promise<Params>;
}) {
  const model = decodeURIComponent((await props.params).model);
  const sp = await props.searchParams;
  const range = resolveRange(sp);
  const tag = one(sp.tag);
  const value = one(sp.value);
  const segment = tag && value !== undefined ? { tag, value } : undefined;
  return { model, sp, range, segment };
}
