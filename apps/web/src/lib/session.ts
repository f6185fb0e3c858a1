// Who is signed in, for server components: asked of the api once per request (React's cache()).
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { MeQuery } from './graphql.generated';
import { ME } from './queries';
import { loginPath, PATH_HEADER } from './request-path';
import { serverQuery, type QueryResult } from './server-graphql';
import type { Role, User } from './types';

export { loginPath, PATH_HEADER } from './request-path';

/** The `me` query of this request. */
export const getMe = cache((): Promise<QueryResult<MeQuery>> => serverQuery<MeQuery>(ME));

/** The signed-in user; strangers are sent to /login (and back here after signing in). */
export async function requireMe(): Promise<User> {
  const result = await getMe();
  if (result.data?.me) return result.data.me;
  if (result.error) throw new Error(result.error);
  redirect(loginPath((await headers()).get(PATH_HEADER)));
}

/** Whether the user may see pages meant for `roles`. */
export function allowed(user: Pick<User, 'role'>, roles: readonly Role[]): boolean {
  return roles.includes(user.role);
}
