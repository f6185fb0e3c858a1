// The chapter's procedures with real kubectl on the real cluster: the very assertions kube-sim's
// kubectl-chapter.test.ts makes (packages/kube-sim/test/chapter-procedures.ts), so what a student
// sees with kubectl is the same on both.
import { chapterProcedures } from '@kubegrade/kube-sim/chapter-procedures';
import { beforeEach, describe } from 'vitest';
import { emptyCluster, k, kubectl, realCluster, scratch, until } from './real.ts';

describe.skipIf(!realCluster)('chapter procedures with real kubectl on the real cluster', () => {
  const tmpDir = scratch();
  beforeEach(async () => {
    await emptyCluster(['shiqi']);
    await k('create', 'namespace', 'shiqi');
  });
  chapterProcedures(() => ({
    tmpDir,
    kubectl,
    k,
    until,
    waitFor: (resource, namespace, name, pred) =>
      until(`${resource} ${namespace ? `${namespace}/` : ''}${name}`, async () => {
        const r = await kubectl('get', resource, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json');
        if (r.code !== 0) return undefined;
        const o = JSON.parse(r.stdout) as Parameters<typeof pred>[0];
        return pred(o) ? o : undefined;
      }),
  }));
});
