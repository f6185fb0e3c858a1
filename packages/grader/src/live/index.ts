// The live lab: cluster-wide watch caches, a Cluster that reads them, and the engine that
// re-evaluates students' non-disruptive checks as their namespaces change.
export { LiveEngine, recentEvents } from './engine.ts';
export type { LiveCheck, LiveEngineOptions, LiveEvent, LiveState, LiveStats, LiveTarget } from './engine.ts';
export { LiveWatches, LIVE_KINDS } from './watches.ts';
export type { LiveChange, LiveKind, LiveWatchesOptions, WatchHealth } from './watches.ts';
export { CachedCluster, LIVE_EXEC_DEFERRED } from './cached-cluster.ts';
