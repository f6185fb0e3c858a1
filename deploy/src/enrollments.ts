// Student namespaces straight from the database's enrollments (the alternative to a roster file).
import { createPrisma } from '@kubegrade/db';

/** The distinct namespaces enrolled (in one course when `courseSlug` is given), sorted. */
export async function namespacesFromDatabase(databaseUrl: string, courseSlug?: string): Promise<string[]> {
  const prisma = createPrisma(databaseUrl, { max: 1 });
  try {
    const rows = await prisma.enrollment.findMany({
      where: courseSlug ? { course: { slug: courseSlug } } : {},
      select: { namespace: true },
      distinct: ['namespace'],
      orderBy: { namespace: 'asc' },
    });
    return rows.map((r) => r.namespace);
  } finally {
    await prisma.$disconnect();
  }
}
