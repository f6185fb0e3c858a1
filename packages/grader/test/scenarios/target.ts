// The runner lives in src/scenario/target.ts (`kubegrade lab test` uses it too).
export * from '../../src/scenario/target.ts';
