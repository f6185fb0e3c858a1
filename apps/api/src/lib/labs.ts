// Labs as the api sees them: the Lab table's row (definition = the grader's validated lab as JSON)
// turned into the GraphQL shape, and the start-up sync from the grader's lab files.
import type { Lab as LabRow, PrismaClient, Prisma } from '@kubegrade/db';
import type { Lab as GraderLab } from '@kubegrade/grader';

/** A check of a lab, in the GraphQL shape. */
export interface LabCheckView {
  id: string;
  title: { zh: string; en: string };
  points: number;
  disruptive: boolean;
  needs: string[];
}

/** A lab in the GraphQL shape. */
export interface LabView {
  id: string;
  version: string;
  title: { zh: string; en: string };
  enabled: boolean;
  disruptiveEnabled: boolean;
  checks: LabCheckView[];
  maxScore: number;
}

/** The GraphQL view of a Lab row. */
export function toLabView(row: LabRow): LabView {
  const def = row.definition as unknown as Partial<GraderLab>;
  const checks = (def.checks ?? []).map((c) => ({
    id: c.id,
    title: c.title ?? { zh: c.id, en: c.id },
    points: c.points ?? 0,
    disruptive: c.disruptive ?? false,
    needs: c.needs ?? [],
  }));
  return {
    id: row.id,
    version: row.version,
    title: def.title ?? { zh: row.id, en: row.id },
    enabled: row.enabled,
    disruptiveEnabled: row.disruptiveEnabled,
    checks,
    maxScore: checks.reduce((s, c) => s + c.points, 0),
  };
}

/**
 * Upserts each lab into the Lab table with its definition and version, keeping the enabled and
 * disruptive flags an instructor set. Returns the ids written.
 */
export async function syncLabs(db: PrismaClient, labs: GraderLab[]): Promise<string[]> {
  for (const lab of labs) {
    const { source: _source, ...rest } = lab;
    const definition = rest as unknown as Prisma.InputJsonValue;
    await db.lab.upsert({
      where: { id: lab.id },
      create: { id: lab.id, version: lab.version, definition },
      update: { version: lab.version, definition },
    });
  }
  return labs.map((l) => l.id);
}
