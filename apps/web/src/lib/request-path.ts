// The page's path for server layouts (a layout is not told its URL): src/proxy.ts copies it into a
// request header, and the signed-in layout sends a stranger to sign in and come back there.

/** The request header src/proxy.ts sets to the page's path and query. */
export const PATH_HEADER = 'x-kubegrade-path';

/** The sign-in page, coming back to `path` afterwards. */
export function loginPath(path: string | null | undefined): string {
  return `/login?next=${encodeURIComponent(path || '/')}`;
}
