// A check's message is stored as a catalog key with parameters and served in both languages: the
// GraphQL run (messageText, evidence) and the CSV export in the instructor's choice of language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { msg, renderMessage } from '@kubegrade/grader';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let runId: string;

const mismatch = msg('dns.service-name-mismatch', {
  other: 'service-headless-redis-exist-pvc',
  serviceName: '"redis-exist-pvc"',
  fqdn: 'statefulset-redis-exist-pvc-0.redis-exist-pvc.ann.svc.cluster.local',
});

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  const res = await as.student.gql<{ submitRun: { run: { id: string } } }>(
    'mutation($l: ID!) { submitRun(labId: $l) { run { id } } }',
    { l: h.labId },
  );
  runId = res.data!.submitRun.run.id;
  const write = (checkId: string, data: Record<string, unknown>) =>
    h.db.checkResult.upsert({
      where: { runId_checkId: { runId, checkId } },
      create: { runId, checkId, ...data },
      update: data,
    });
  await write('headless-dns', {
    status: 'FAIL',
    maxPoints: 20,
    message: renderMessage(mismatch, 'en'),
    messageKey: mismatch.$msg,
    messageParams: mismatch.params,
    evidence: { expected: { replicas: msg('sts.expected-replicas') }, found: { replicas: 1 } },
  });
  // A row stored before the catalog: English only.
  await write('pv-claimref', {
    status: 'PASS',
    points: 15,
    maxPoints: 15,
    message: 'PV pv-ann-redis-exist-pvc is pre-bound',
  });
  await h.db.gradingRun.update({
    where: { id: runId },
    data: { status: 'FAILED', startedAt: new Date(), finishedAt: new Date(), score: 15 },
  });
});
afterAll(async () => {
  await h?.close();
});

type Check = {
  checkId: string;
  message: string | null;
  messageKey: string | null;
  messageText: { zh: string; en: string } | null;
  evidence: unknown;
};

describe('check messages in both languages', () => {
  it('the run gives each message in Chinese and English, evidence messages too, older rows in English', async () => {
    const res = await as.student.gql<{ run: { checks: Check[] } }>(
      'query($id: ID!) { run(id: $id) { checks { checkId message messageKey messageText { zh en } evidence } } }',
      { id: runId },
    );
    expect(res.errors).toBeUndefined();
    const by = Object.fromEntries(res.data!.run.checks.map((c) => [c.checkId, c]));
    expect(by['headless-dns']?.messageKey).toBe('dns.service-name-mismatch');
    expect(by['headless-dns']?.messageText?.en).toBe(by['headless-dns']?.message);
    expect(by['headless-dns']?.messageText?.zh).toBe(
      'Service service-headless-redis-exist-pvc 选中了这些 Pod，但 StatefulSet 的 serviceName 是 "redis-exist-pvc"：每个 Pod 的 DNS 记录只会建在名称与 serviceName 完全相同的 Headless Service 下，所以 statefulset-redis-exist-pvc-0.redis-exist-pvc.ann.svc.cluster.local 无法解析',
    );
    expect(by['headless-dns']?.evidence).toMatchObject({
      expected: { replicas: { zh: '>= 1，全部就绪', en: '>= 1, all Ready' } },
    });
    expect(by['pv-claimref']).toMatchObject({
      messageKey: null,
      messageText: {
        zh: 'PV pv-ann-redis-exist-pvc is pre-bound',
        en: 'PV pv-ann-redis-exist-pvc is pre-bound',
      },
    });
    expect(by['statefulset-ready']).toMatchObject({ messageKey: null, messageText: null });
  });

  it('the CSV adds each check message in the language the instructor asks for, and only then', async () => {
    const read = async (query: string) => {
      const res = await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv${query}`);
      expect(res.statusCode).toBe(200);
      return (parse(res.body, { columns: true }) as Record<string, string>[]).find(
        (r) => r.namespace === 'ann',
      );
    };
    const [zh, en, plain] = await Promise.all([read('?lang=zh'), read('?lang=en'), read('')]);
    expect(zh?.['headless-dns_message']).toContain(
      '每个 Pod 的 DNS 记录只会建在名称与 serviceName 完全相同的 Headless Service 下',
    );
    expect(en?.['headless-dns_message']).toBe(renderMessage(mismatch, 'en'));
    expect(zh?.['headless-dns']).toBe('FAIL');
    expect(zh?.['redis-persistence_message']).toBe('');
    expect(Object.keys(plain ?? {}).filter((k) => k.endsWith('_message'))).toEqual([]);
    const bad = await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv?lang=fr`);
    expect(bad.statusCode).toBe(400);
  });
});
