// The built-in primitives, registered on import.
import { headlessDns } from './headless-dns.ts';
import { objectMatches } from './object-matches.ts';
import { pvClaimRef } from './pv-claimref.ts';
import { pvcBound } from './pvc-bound.ts';
import { redisPersistence } from './redis-persistence.ts';
import { registerPrimitive } from './registry.ts';
import { statefulSetReady } from './statefulset-ready.ts';
import { storageClass } from './storageclass.ts';

registerPrimitive(pvClaimRef);
registerPrimitive(pvcBound);
registerPrimitive(storageClass);
registerPrimitive(statefulSetReady);
registerPrimitive(headlessDns);
registerPrimitive(redisPersistence);
registerPrimitive(objectMatches);

export { headlessDns, objectMatches, pvClaimRef, pvcBound, redisPersistence, statefulSetReady, storageClass };
export { registerPrimitive, unregisterPrimitive, getPrimitive, primitiveNames } from './registry.ts';
export type { CheckContext, Outcome, Primitive } from './registry.ts';
