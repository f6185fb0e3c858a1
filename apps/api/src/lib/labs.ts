// Labs as the api sees them: the Lab table's row (definition = the grader's validated lab as JSON)
// turned into the GraphQL shape, and the start-up sync from the grader's lab files.
import {
  checkPoints,
  labMaxScore,
  scheduleOf,
  type Lab as LabRow,
  type LabSchedule,
  type PrismaClient,
  type Prisma,
} from '@kubegrade/db';
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
  /** Whether students see the live lab. */
  liveEnabled: boolean;
  checks: LabCheckView[];
  maxScore: number;
  /** The dates, late rule and score policy (UTC). */
  schedule: LabSchedule;
}

/** The GraphQL view of a Lab row: the one place the api reads a lab's definition. */
export function toLabView(row: LabRow): LabView {
  const def = row.definition as unknown as Partial<GraderLab>;
  const checks = (def.checks ?? []).map((c) => ({
    id: c.id,
    title: c.title ?? { zh: c.id, en: c.id },
    points: checkPoints(c),
    disruptive: c.disruptive ?? false,
    needs: c.needs ?? [],
  }));
  return {
    id: row.id,
    version: row.version,
    title: def.title ?? { zh: row.id, en: row.id },
    enabled: row.enabled,
    disruptiveEnabled: row.disruptiveEnabled,
    liveEnabled: row.liveEnabled,
    checks,
    maxScore: labMaxScore(checks),
    schedule: scheduleOf(row),
  };
}

/**
 * Upserts each lab into the Lab table with its definition and version, keeping the enabled and
 * disruptive flags an instructor set. An instructor's edit of the points (version `<v>+editN`, see
 * setCheckPoints) is kept while the file still has version `<v>`; a new file version replaces it.
 * Returns the ids written.
 */
export async function syncLabs(db: PrismaClient, labs: GraderLab[]): Promise<string[]> {
  const stored = new Map(
    (await db.lab.findMany({ select: { id: true, version: true } })).map((l) => [l.id, l.version]),
  );
  for (const lab of labs) {
    if (stored.get(lab.id)?.startsWith(`${lab.version}+edit`)) continue;
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
