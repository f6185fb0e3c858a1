// REST routes declare their input as zod schemas (fastify-type-provider-zod). The zod compilers
// are set on a scope of the plugin's own, not on the app: mercurius's routes carry JSON schemas.
// A schema that refuses the input throws a validation error, which the one error handler
// (lib/errors.ts, replyError) answers with 400 BAD_USER_INPUT and the formatter's message.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaValidationError,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';

/** A fastify instance whose routes take zod schemas. */
export type ZodRoutes = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A route's `schemaErrorFormatter`: what the 400 says when its schema refuses the input. */
export type SchemaErrorFormatter = (errors: FastifySchemaValidationError[], dataVar: string) => Error;

/** The field a validation issue is about, as `a.b` (empty for the whole input). */
function fieldOf(e: FastifySchemaValidationError): string {
  return e.instancePath.replace(/^\//, '').replaceAll('/', '.');
}

/** `field: message; ...` for each issue (the shape `validate` in lib/errors.ts gives GraphQL). */
export const fieldMessages: SchemaErrorFormatter = (errors) =>
  new Error(errors.map((e) => `${fieldOf(e)}: ${e.message}`).join('; '));

/** `message; ...` for each issue, without the fields. */
export const plainMessages: SchemaErrorFormatter = (errors) =>
  new Error(errors.map((e) => e.message).join('; '));

/** One fixed message whatever was wrong. */
export const fixedMessage =
  (message: string): SchemaErrorFormatter =>
  () =>
    new Error(message);

/** Registers `routes` in a scope whose schemas are zod (messages: `fieldMessages` unless a route says otherwise). */
export async function zodRoutes(
  app: FastifyInstance,
  routes: (scope: ZodRoutes) => void | Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    scope.setSchemaErrorFormatter(fieldMessages);
    await routes(scope.withTypeProvider<ZodTypeProvider>());
  });
}
