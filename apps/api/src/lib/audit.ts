// Append-only audit rows (the table's trigger refuses UPDATE and DELETE).
import type { PrismaClient, Prisma } from '@kubegrade/db';
import type { SessionUser } from '../types.ts';

/** What one audit row records; `actor` is a user, or a readable name such as "webhook:ci". */
export interface AuditInput {
  actor: SessionUser | string | null;
  action: string;
  subject?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

type Db = PrismaClient | Prisma.TransactionClient;

function row(input: AuditInput) {
  const actor = input.actor;
  return {
    actorId: actor && typeof actor === 'object' ? actor.id : null,
    actor: actor && typeof actor === 'object' ? actor.email : actor,
    action: input.action,
    subject: input.subject ?? null,
    before: (input.before ?? undefined) as Prisma.InputJsonValue | undefined,
    after: (input.after ?? undefined) as Prisma.InputJsonValue | undefined,
    reason: input.reason ?? null,
  };
}

/** Writes one audit row. */
export async function audit(db: Db, input: AuditInput): Promise<void> {
  await db.auditEntry.create({ data: row(input) });
}

/**
 * Writes many audit rows with one INSERT per 5,000 (a roster import of thousands of students):
 * unnest() of arrays keeps each statement at a handful of parameters.
 */
export async function auditMany(db: Db, inputs: AuditInput[], batch = 5000): Promise<void> {
  for (let i = 0; i < inputs.length; i += batch) {
    const rows = inputs.slice(i, i + batch).map(row);
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    await db.$executeRaw`
      INSERT INTO "AuditEntry" ("actorId", "actor", "action", "subject", "before", "after", "reason")
      SELECT v.actor_id, v.actor, v.action, v.subject, v.before::jsonb, v.after::jsonb, v.reason
      FROM unnest(${rows.map((r) => r.actorId)}::text[], ${rows.map((r) => r.actor)}::text[], ${rows.map((r) => r.action)}::text[],
                  ${rows.map((r) => r.subject)}::text[], ${rows.map((r) => json(r.before))}::text[], ${rows.map((r) => json(r.after))}::text[],
                  ${rows.map((r) => r.reason)}::text[]) AS v(actor_id, actor, action, subject, before, after, reason)`;
  }
}
