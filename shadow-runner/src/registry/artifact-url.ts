/**
 * Where a version's artifact is fetched: under OSPREY_PUBLIC_URL when it is set (a path prefix in
 * it is kept), otherwise a path relative to the server, which clients resolve against the URL they
 * were configured with. Never built from the request's Host: a forged Host would send a client's
 * API key to another server.
 */
export function artifactUrl(model: string, version: string, publicUrl?: string): string {
  const path = `v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/artifact`;
  if (!publicUrl) return `/${path}`;
  const base = new URL(publicUrl);
  base.pathname = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  base.search = '';
  base.hash = '';
  return new URL(path, base).toString();
}
