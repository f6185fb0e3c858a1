// The live lab (issue [5/8], "Done when"): an admin turns it on; a student, with the page in
// Chinese, applies the chapter's manifests one at a time with kubectl and watches each check turn
// green live without pressing Grade; then presses Grade and gets the scored result.
import { execFileSync } from 'node:child_process';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

const NFS_SERVER = '192.168.110.168';

/** The chapter's manifests for namespace `ns` (part 5, with the headless Service named as serviceName). */
function chapterManifests(ns: string): { kind: string; yaml: string }[] {
  return [
    {
      kind: 'PersistentVolume',
      yaml: `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-${ns}-redis-exist-pvc
spec:
  capacity:
    storage: 64Mi
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  nfs:
    path: /nfs/${ns}-redis-exist-pvc
    server: ${NFS_SERVER}
  claimRef:
    name: pvc-${ns}-redis-exist-pvc
    namespace: ${ns}
`,
    },
    {
      kind: 'PersistentVolumeClaim',
      yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc-${ns}-redis-exist-pvc
  namespace: ${ns}
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 64Mi
  storageClassName: ""
`,
    },
    {
      kind: 'StatefulSet',
      yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: statefulset-redis-exist-pvc
  namespace: ${ns}
  labels: { app: redis-exist-pvc }
spec:
  serviceName: redis-exist-pvc
  replicas: 1
  selector:
    matchLabels: { app: redis-exist-pvc }
  template:
    metadata:
      labels: { app: redis-exist-pvc }
    spec:
      containers:
        - name: redis
          image: redis:7.4.4
          ports: [{ containerPort: 6379, name: redis }]
          livenessProbe:
            tcpSocket: { port: 6379 }
          readinessProbe:
            exec: { command: [redis-cli, ping] }
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: pvc-${ns}-redis-exist-pvc
`,
    },
    {
      kind: 'Service',
      yaml: `apiVersion: v1
kind: Service
metadata:
  name: redis-exist-pvc
  namespace: ${ns}
spec:
  clusterIP: None
  selector: { app: redis-exist-pvc }
  ports: [{ port: 6379, targetPort: 6379, name: redis }]
`,
    },
  ];
}

function kubectl(kubeconfig: string, args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The admin labs page's live switch for the lab, set to `on`. */
async function setLive(page: Page, labId: string, on: boolean): Promise<void> {
  const row = page.locator(`tr[data-lab="${labId}"]`);
  const toggle = row.getByRole('switch', { name: /Live view for students/ });
  await expect(toggle).toBeEnabled();
  // The visible switch is the checkbox's label, as a person clicks it.
  if ((await toggle.isChecked()) !== on) await row.locator(`label[for="live-${labId}"]`).click();
  await expect(toggle).toBeChecked({ checked: on });
  await expect(page.locator('p[role="status"]')).toContainText(/saved|已保存/i);
}

const CJK = /[\u4e00-\u9fff]/;

/** Every check's visible text on the live panel, to be read in Chinese. */
async function expectChinese(panel: Locator): Promise<void> {
  for (const item of await panel.locator('li[data-live-check]').all()) {
    const texts = await item.locator('p').allInnerTexts();
    for (const t of texts) expect(t, `not Chinese: ${t}`).toMatch(CJK);
  }
}

test('a student watches the checks turn green live as they apply the manifests, then grades', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const stack = stackInfo();
  const student = stack.liveStudent;
  const ns = student.namespace!;
  const manifests = chapterManifests(ns);

  // The admin turns the live lab on.
  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, stack.admin, '/admin/labs');
  await setLive(adminPage, stack.labId, true);

  // The student's namespace starts empty: what they had is removed (the StatefulSet first, so the
  // claim is released, then the claim, then the volume).
  kubectl(stack.kubeconfig, [
    'delete',
    '-n',
    ns,
    'statefulset/statefulset-redis-exist-pvc',
    'service/redis-exist-pvc',
    '--ignore-not-found',
    '--wait=true',
  ]);
  kubectl(stack.kubeconfig, [
    'delete',
    '-n',
    ns,
    'pvc/pvc-' + ns + '-redis-exist-pvc',
    '--ignore-not-found',
    '--wait=true',
  ]);
  kubectl(stack.kubeconfig, [
    'delete',
    'pv/pv-' + ns + '-redis-exist-pvc',
    '--ignore-not-found',
    '--wait=true',
  ]);

  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, student, '/labs');
  await chooseLanguage(page, 'zh-CN');
  const panel = page.locator(`section[data-live-lab="${stack.labId}"]`);
  await expect(panel).toHaveAttribute('data-live-status', 'LIVE', { timeout: 60_000 });
  await expect(panel.getByRole('heading', { name: '实时视图' })).toBeVisible();
  const check = (id: string) => panel.locator(`li[data-live-check="${id}"]`);
  for (const id of ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns'])
    await expect(check(id)).toHaveAttribute('data-status', 'FAIL');
  await expect(check('redis-persistence')).toHaveAttribute('data-status', 'GRADE_ONLY');
  await expectChinese(panel);
  await shot(page, 'live-lab-empty-zh');

  // Nobody presses Grade: the page must not reload or start a run while the checks change.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const runsBefore = await page.locator('[data-run-status]').count();

  // One manifest at a time, and the check it completes turns green on its own.
  const turnsGreen: Record<string, string> = {
    PersistentVolume: 'pv-claimref',
    PersistentVolumeClaim: 'pvc-bound',
    StatefulSet: 'statefulset-ready',
    Service: 'headless-dns',
  };
  for (const m of manifests) {
    kubectl(stack.kubeconfig, ['apply', '-f', '-'], m.yaml);
    // The in-pod DNS lookup runs at most every 30 s per namespace in the live view: allow for it.
    await expect(check(turnsGreen[m.kind]!)).toHaveAttribute('data-status', 'PASS', {
      timeout: m.kind === 'Service' ? 90_000 : 45_000,
    });
    await expectChinese(panel);
    await shot(page, `live-lab-after-${m.kind.toLowerCase()}-zh`);
  }
  for (const id of ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns'])
    await expect(check(id)).toHaveAttribute('data-status', 'PASS');
  // The screen reader heard the flips, in Chinese.
  await expect(panel.locator('[data-live-announcement]')).toContainText('通过');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(await page.locator('[data-run-status]').count()).toBe(runsBefore);

  // The instructor's scoreboard shows the live state beside the graded score.
  const instructor = await (await browser.newContext()).newPage();
  await signIn(instructor, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  const liveCell = instructor.locator(`tr[data-namespace="${ns}"] [data-live]`);
  await expect(liveCell).toHaveAttribute('data-live', 'LIVE');
  await expect(liveCell).toContainText('4/4');
  await shot(instructor, 'live-lab-scoreboard');
  await instructor.context().close();

  // Only Grade scores: press it and get the scored result.
  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'PASSED', {
    timeout: 150_000,
  });
  await expect(card.getByTestId('run-score')).toHaveText('100 / 100');
  await shot(page, 'live-lab-graded-zh');

  // The admin turns it off again: the panel goes away.
  await setLive(adminPage, stack.labId, false);
  await expect(panel).toHaveCount(0, { timeout: 30_000 });
  await context.close();
  await adminPage.context().close();
});
