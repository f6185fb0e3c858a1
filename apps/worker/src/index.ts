// @kubegrade/worker: the grading worker (see README.md). Tests start it in-process with startWorker.
export { startWorker, type Worker, type WorkerConfig } from './worker.ts';
export { readWorkerEnv, WorkerConfigError, type WorkerEnv } from './config.ts';
export { startEventDelivery, deliverOnce, type EventDelivery, type EventDeliveryConfig } from './events.ts';
