// Field resolvers and batched loaders of the outbound event types (EventEndpoint, EventDelivery):
// one query per field for a whole list of endpoints, not one per endpoint.
import type { EventDelivery, EventEndpoint } from '@kubegrade/db';
import type { MercuriusLoaders } from 'mercurius';
import type { Ctx } from './context.ts';

type Q<T, P = Record<string, unknown>> = { obj: T; params: P }[];

/** Batched loaders of EventEndpoint fields. */
export const eventLoaders: MercuriusLoaders<Ctx> = {
  EventEndpoint: {
    courseSlug: async (queries: Q<EventEndpoint>, ctx: Ctx) => {
      const courses = await ctx.db.course.findMany({
        where: { id: { in: [...new Set(queries.map((q) => q.obj.courseId))] } },
        select: { id: true, slug: true },
      });
      const byId = new Map(courses.map((c) => [c.id, c.slug]));
      return queries.map((q) => byId.get(q.obj.courseId) ?? '');
    },
    activeSecrets: async (queries: Q<EventEndpoint>, ctx: Ctx) => {
      const now = new Date();
      const counts = await ctx.db.eventEndpointSecret.groupBy({
        by: ['endpointId'],
        where: {
          endpointId: { in: queries.map((q) => q.obj.id) },
          revokedAt: null,
          OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        },
        _count: { _all: true },
      });
      return queries.map((q) => counts.find((c) => c.endpointId === q.obj.id)?._count._all ?? 0);
    },
    deliveries: async (queries: Q<EventEndpoint, { first?: number }>, ctx: Ctx) => {
      const first = Math.min(Math.max(queries[0]?.params.first ?? 50, 1), 200);
      // The newest `first` of each endpoint, in one statement.
      const rows = await ctx.db.$queryRaw<EventDelivery[]>`
        SELECT d.* FROM unnest(${queries.map((q) => q.obj.id)}::text[]) AS e(id)
        CROSS JOIN LATERAL (SELECT * FROM "EventDelivery" x WHERE x."endpointId" = e.id ORDER BY x."createdAt" DESC LIMIT ${first}) d`;
      return queries.map((q) => rows.filter((r) => r.endpointId === q.obj.id));
    },
  },
};

/** Plain field resolvers of EventDelivery. */
export const eventFieldResolvers = {
  EventDelivery: {
    log: (d: EventDelivery) => (Array.isArray(d.log) ? d.log : []),
  },
};
