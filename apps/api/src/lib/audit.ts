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

/** Writes one audit row. */
export async function audit(db: Db, input: AuditInput): Promise<void> {
  const actor = input.actor;
  await db.auditEntry.create({
    data: {
      actorId: actor && typeof actor === 'object' ? actor.id : null,
      actor: actor && typeof actor === 'object' ? actor.email : actor,
      action: input.action,
      subject: input.subject ?? null,
      before: (input.before ?? undefined) as Prisma.InputJsonValue | undefined,
      after: (input.after ?? undefined) as Prisma.InputJsonValue | undefined,
      reason: input.reason ?? null,
    },
  });
}
