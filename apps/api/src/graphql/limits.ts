// What one GraphQL document may ask for, checked before anything runs (graphql-armor validation
// rules, applied over HTTP by mercurius and to every subscription by a hook in plugins/graphql.ts).
// A refusal is a 400 with the limit in the message, in milliseconds: nothing is resolved.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { createRequire } from 'node:module';
import type { GraphQLError as GraphQLErrorType, ValidationContext, ValidationRule } from 'graphql';

// The CommonJS graphql, the instance mercurius and graphql-armor use.
const { GraphQLError } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** The limits, stated in the api README. */
export const QUERY_LIMITS = {
  /** Aliases in one operation (the web app uses none). */
  aliases: 15,
  /** Nesting of selections (the web app's deepest query has 5 levels). */
  depth: 10,
  /** graphql-armor cost: 2 per object field, 1 per scalar field, x1.5 per level of nesting (the web app's dearest query, a webhook with its delivery log, costs about 1,300). */
  cost: 5000,
  /** Lexical tokens in one document (parse stops there). */
  tokens: 5000,
} as const;

// Report (rather than throw, graphql-armor's default) so validation answers with all its errors,
// without armor's misleading "Syntax Error:" prefix, and with a code the web app can read.
const report = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, err: GraphQLErrorType) => {
      ctx?.reportError(
        new GraphQLError(`${err.message.replace(/^Syntax Error: /, '')} Ask for less in one request.`, {
          extensions: { code: 'QUERY_TOO_COMPLEX' },
        }),
      );
    },
  ],
};

/** The validation rules of every operation. */
export function limitRules(): ValidationRule[] {
  return [
    maxAliasesRule({ n: QUERY_LIMITS.aliases, ...report }) as unknown as ValidationRule,
    maxDepthRule({
      n: QUERY_LIMITS.depth,
      flattenFragments: true,
      ignoreIntrospection: false,
      ...report,
    }) as unknown as ValidationRule,
    costLimitRule({
      maxCost: QUERY_LIMITS.cost,
      ignoreIntrospection: false,
      ...report,
    }) as unknown as ValidationRule,
  ];
}
