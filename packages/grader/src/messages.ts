// The message catalog: what a check found, as a stable key with parameters, in zh-CN and en (the
// hints' catalog says how to fix it). A verdict stores `{ $msg, params }`; every view renders it in
// its reader's language (the web, the CLI's --lang, the CSV), and the JSON report carries both.
// Parameters are object names, quantities and cluster output; text from the cluster stays as the
// cluster wrote it and is quoted as code (`...`) in zh. Evidence may hold messages too (localized
// by `localizeEvidence`).
import type { Localized } from './types.ts';

const catalog = {
  // Pass-through for primitives registered outside the grader (their message is a plain string).
  text: { en: '{text}', zh: '{text}' },

  // Small words used as parameters.
  none: { en: '(none)', zh: '（无）' },
  'none-word': { en: 'none', zh: '无' },
  nothing: { en: 'nothing', zh: '（空）' },
  unset: { en: 'unset', zh: '未设置' },
  unknown: { en: 'unknown', zh: '未知' },
  empty: { en: 'empty', zh: '空' },
  any: { en: '(any)', zh: '（任意）' },
  'not-set': { en: '(not set)', zh: '（未设置）' },
  'default-class': { en: 'default', zh: '默认' },
  'not-bound': { en: 'not Bound', zh: '未绑定' },
  paren: { en: ' ({text})', zh: '（{text}）' },
  'cluster-quote': { en: ': {text}', zh: '：`{text}`' },
  'list-semicolon': { en: '{first}; {rest}', zh: '{first}；{rest}' },
  'status.pass': { en: 'pass', zh: '通过' },
  'status.fail': { en: 'fail', zh: '未通过' },
  'status.error': { en: 'error', zh: '错误' },
  'status.skipped': { en: 'skipped', zh: '跳过' },

  // Shared by several primitives (common.ts).
  'container.lab-names': { en: 'the lab names container {name}', zh: '实验指定了容器 {name}' },
  'container.lab-lacks': {
    en: 'the lab names container {name}, which the pod lacks; ',
    zh: '实验指定的容器 {name} 在 Pod 中不存在；',
  },
  'container.signs': { en: '{missing}{signs}{position}', zh: '{missing}{signs}{position}' },
  'container.sign-image': { en: 'image {image}', zh: '镜像 {image}' },
  'container.sign-command': { en: 'runs redis-server', zh: '运行 redis-server' },
  'container.sign-port': { en: 'port 6379', zh: '端口 6379' },
  'container.position': { en: ' (container {n} of {total})', zh: '（第 {n} 个容器，共 {total} 个）' },
  'container.only': {
    en: '{missing}the only container (no Redis image, command or port 6379)',
    zh: '{missing}唯一的容器（没有 Redis 镜像、redis-server 命令或 6379 端口）',
  },
  'container.first': {
    en: '{missing}no container looks like Redis (image, redis-server command, port 6379): judged the first of {total}',
    zh: '{missing}没有容器像 Redis（镜像、redis-server 命令、6379 端口）：按 {total} 个容器中的第一个判断',
  },
  'terminating.detail': {
    en: 'deletionTimestamp {when}{finalizers}',
    zh: 'deletionTimestamp 为 {when}{finalizers}',
  },
  'terminating.finalizers': { en: ', held by finalizers [{list}]', zh: '，被 finalizers [{list}] 挡住' },
  'env.root-squash': {
    en: "pod {pod} crash-loops because chown of its NFS volume is refused (root_squash): the course environment's fault, not the student's",
    zh: 'Pod {pod} 反复崩溃：对 NFS 卷的 chown 被拒绝（root_squash）。这是课程环境的问题，不是学生的错',
  },
  'pod.terminating': {
    en: 'pod {pod} is Terminating ({detail}): a pod on its way out is not Ready',
    zh: 'Pod {pod} 正在删除（Terminating，{detail}）：正在删除的 Pod 不算就绪',
  },
  'pod.image-pull': {
    en: 'pod {pod}: container {container} cannot pull image {image} ({reason}{detail})',
    zh: 'Pod {pod}：容器 {container} 无法拉取镜像 {image}（{reason}{detail}）',
  },
  'pod.crash-loop': {
    en: 'pod {pod}: container {container} is crash-looping ({state}, {restarts} restart(s){exit})',
    zh: 'Pod {pod}：容器 {container} 反复崩溃（{state}，已重启 {restarts} 次{exit}）',
  },
  'pod.state-restarting': { en: 'restarting', zh: '重启中' },
  'pod.last-exit': { en: '; last exit {code}{reason}{detail}', zh: '；上次退出码 {code}{reason}{detail}' },
  'pod.unschedulable': {
    en: 'pod {pod} is Pending: not scheduled ({why})',
    zh: 'Pod {pod} 处于 Pending：未被调度（`{why}`）',
  },
  'pod.readiness': {
    en: 'pod {pod} is Running but not Ready: the readiness probe of {containers} is failing',
    zh: 'Pod {pod} 在运行但未就绪：{containers} 的就绪探针没有通过',
  },
  'pod.starting': {
    en: 'pod {pod} is Running but not Ready yet (containers {containers} not ready; {probe})',
    zh: 'Pod {pod} 在运行但尚未就绪（容器 {containers} 未就绪；{probe}）',
  },
  'pod.probe-pending': { en: 'readiness probe not passed yet', zh: '就绪探针尚未通过' },
  'pod.no-probe': { en: 'no readiness probe', zh: '没有就绪探针' },
  'pod.container-not-running': {
    en: 'pod {pod} is Running but container {container} is not running{reason}',
    zh: 'Pod {pod} 处于 Running，但容器 {container} 没有运行{reason}',
  },
  'pod.phase': { en: 'pod {pod} is {phase}{reasons}', zh: 'Pod {pod} 处于 {phase}{reasons}' },
  'pod.not-running-phase': { en: 'not Running', zh: '非 Running 状态' },

  // pv-claimref
  'pv.missing': { en: 'PV {pv} not found', zh: '找不到 PV {pv}' },
  'pv.no-claimref': {
    en: 'PV {pv} has no spec.claimRef (expected {namespace}/{claim})',
    zh: 'PV {pv} 没有 spec.claimRef（期望 {namespace}/{claim}）',
  },
  'pv.terminating': {
    en: 'PV {pv} is Terminating ({detail}): a volume on its way out does not count',
    zh: 'PV {pv} 正在删除（Terminating，{detail}）：正在删除的卷不算数',
  },
  'pv.taken': {
    en: "PV {pv} is Bound to claim {foundNamespace}/{foundClaim}, expected {namespace}/{claim}: the controller wrote that claimRef after the PV's own was cleared (e.g. claimRef: null), so another namespace's Pending claim took it",
    zh: 'PV {pv} 已绑定到 PVC {foundNamespace}/{foundClaim}，期望 {namespace}/{claim}：PV 原来的 claimRef 被清除后（例如 claimRef: null），控制器写入了这个 claimRef，另一个命名空间里 Pending 的 PVC 抢走了它',
  },
  'pv.claimref-namespace': {
    en: 'PV {pv} claimRef.namespace is {found}, expected {expected}',
    zh: 'PV {pv} 的 claimRef.namespace 是 {found}，期望 {expected}',
  },
  'pv.claimref-name': {
    en: 'PV {pv} claimRef.name is {found}, expected {expected}',
    zh: 'PV {pv} 的 claimRef.name 是 {found}，期望 {expected}',
  },
  'pv.attributes-wrong': {
    en: 'PV {pv} is pre-bound correctly but has the wrong {wrong}',
    zh: 'PV {pv} 的预绑定正确，但这些属性不对：{wrong}',
  },
  'pv.wrong-capacity': {
    en: 'capacity {found} (expected {expected})',
    zh: '容量 {found}（期望 {expected}）',
  },
  'pv.wrong-access-modes': {
    en: 'accessModes [{found}] (expected [{expected}])',
    zh: 'accessModes [{found}]（期望 [{expected}]）',
  },
  'pv.wrong-reclaim-policy': {
    en: 'reclaim policy {found} (expected {expected})',
    zh: '回收策略 {found}（期望 {expected}）',
  },
  'pv.wrong-no-nfs': { en: 'no NFS source (expected nfs)', zh: '没有 NFS 卷源（期望 nfs）' },
  'pv.wrong-nfs-server': {
    en: 'nfs.server {found} (expected {expected})',
    zh: 'nfs.server {found}（期望 {expected}）',
  },
  'pv.wrong-nfs-path': {
    en: 'nfs.path {found} (expected {expected})',
    zh: 'nfs.path {found}（期望 {expected}）',
  },
  'pv.pass': {
    en: 'PV {pv} is pre-bound to {namespace}/{claim} with the expected attributes',
    zh: 'PV {pv} 已预绑定到 {namespace}/{claim}，属性符合要求',
  },

  // storageclass
  'sc.missing': { en: 'StorageClass {name} not found', zh: '找不到 StorageClass {name}' },
  'sc.provisioner-differs': {
    en: "StorageClass {name} uses provisioner {found}, but the lab expects {expected}: the course environment's StorageClass differs from the lab's",
    zh: 'StorageClass {name} 使用的 Provisioner 是 {found}，而实验要求 {expected}：课程环境的 StorageClass 与实验不一致',
  },
  'sc.claim-class': {
    en: 'StorageClass {name} exists, but claim {claim} asks for storageClassName {found}',
    zh: 'StorageClass {name} 存在，但 PVC {claim} 请求的 storageClassName 是 {found}',
  },
  'sc.pass': {
    en: 'StorageClass {name} exists (provisioner {provisioner})',
    zh: 'StorageClass {name} 存在（Provisioner 为 {provisioner}）',
  },

  // object-matches
  'om.missing': { en: '{where} not found', zh: '找不到 {where}' },
  'om.mismatch': {
    en: '{where}: {path} is {found}, expected {expected}',
    zh: '{where}：{path} 是 {found}，期望 {expected}',
  },
  'om.pass': { en: '{where} matches', zh: '{where} 符合要求' },

  // pvc-bound
  'pvc.missing': {
    en: 'PVC {claim} not found in namespace {namespace}',
    zh: '命名空间 {namespace} 中找不到 PVC {claim}',
  },
  'pvc.terminating': {
    en: 'PVC {claim} is Terminating ({detail}); its phase says {phase}, but a claim on its way out is not Bound',
    zh: 'PVC {claim} 正在删除（Terminating，{detail}）；它的 phase 显示 {phase}，但正在删除的 PVC 不算 Bound',
  },
  'pvc.shared-pv-taken': {
    en: 'PVC {claim} is Bound to {volume}, expected {pv}: {volume} is a static PV that had no claimRef (freed, e.g. by claimRef: null in another namespace) and the controller gave it to this claim; in a shared cluster it was probably meant for someone else',
    zh: 'PVC {claim} 绑定到了 {volume}，期望 {pv}：{volume} 是一个没有 claimRef 的静态 PV（例如被另一个命名空间用 claimRef: null 释放），控制器把它分给了这个 PVC；在共享集群里它多半属于别人',
  },
  'pvc.bound-wrong-pv': {
    en: 'PVC {claim} is Bound to {volume}, expected {pv}{dynamic}',
    zh: 'PVC {claim} 绑定到了 {volume}，期望 {pv}{dynamic}',
  },
  'pvc.dynamic-instead': {
    en: ' (a dynamically provisioned volume of class {storageClass})',
    zh: '（由 StorageClass {storageClass} 动态创建的卷）',
  },
  'pvc.bound-pv-missing': {
    en: 'PVC {claim} says Bound to {volume}, but that PV does not exist',
    zh: 'PVC {claim} 显示已绑定到 {volume}，但这个 PV 不存在',
  },
  'pvc.bound-pv-terminating': {
    en: 'PVC {claim} is Bound to {pv}, but that PV is Terminating ({detail})',
    zh: 'PVC {claim} 绑定到了 {pv}，但这个 PV 正在删除（Terminating，{detail}）',
  },
  'pvc.binding-disagrees': {
    en: "PVC {claim} (uid {uid}) names PV {pv}, but the PV's claimRef is {ref} and its phase {phase}",
    zh: 'PVC {claim}（uid {uid}）指向 PV {pv}，但 PV 的 claimRef 是 {ref}，phase 为 {phase}',
  },
  'pvc.claimref': { en: '{namespace}/{name} uid {uid}', zh: '{namespace}/{name} uid {uid}' },
  'pvc.not-dynamic': {
    en: 'PVC {claim} is Bound to {pv}, but it is not dynamically provisioned as expected (storageClassName {storageClass}, {annotation} {by})',
    zh: 'PVC {claim} 绑定到了 {pv}，但它不是按要求动态创建的（storageClassName {storageClass}，{annotation} {by}）',
  },
  'pvc.pass-dynamic': {
    en: 'PVC {claim} is Bound to dynamically provisioned PV {pv} (provisioned by {by}); both sides agree',
    zh: 'PVC {claim} 已绑定到动态创建的 PV {pv}（由 {by} 创建）；两侧一致',
  },
  'pvc.pass': {
    en: "PVC {claim} is Bound to {pv} and the PV's claimRef carries the PVC's uid{note}",
    zh: 'PVC {claim} 已绑定到 {pv}，PV 的 claimRef 带有该 PVC 的 uid{note}',
  },
  'pvc.class-note': {
    en: ' (note: its storageClassName is {storageClass}, not {pvClass} as taught; it bound only because the PV is pre-bound by claimRef and existed first)',
    zh: '（注意：它的 storageClassName 是 {storageClass}，不是教程中的 {pvClass}；能绑定只是因为 PV 通过 claimRef 预绑定并且先创建）',
  },
  'pvc.storageclass-missing': {
    en: 'PVC {claim} is {phase}: StorageClass {storageClass} does not exist',
    zh: 'PVC {claim} 处于 {phase}：StorageClass {storageClass} 不存在',
  },
  'pvc.wrong-class-dynamic': {
    en: 'PVC {claim} is {phase} with storageClassName {found}, expected {expected}',
    zh: 'PVC {claim} 处于 {phase}，storageClassName 为 {found}，期望 {expected}',
  },
  'pvc.no-pv': {
    en: 'PVC {claim} is {phase}: PV {pv} does not exist',
    zh: 'PVC {claim} 处于 {phase}：PV {pv} 不存在',
  },
  'pvc.pv-taken': {
    en: 'PVC {claim} is {phase}: PV {pv} was taken by claim {namespace}/{name} (the controller bound it after its claimRef had been cleared, e.g. with claimRef: null)',
    zh: 'PVC {claim} 处于 {phase}：PV {pv} 被 PVC {namespace}/{name} 占用（它的 claimRef 被清除后，例如 claimRef: null，控制器把它绑定给了别人）',
  },
  'pvc.reserved-namespace': {
    en: 'PVC {claim} is {phase}: PV {pv} is reserved for namespace {found}, not {namespace}',
    zh: 'PVC {claim} 处于 {phase}：PV {pv} 预留给了命名空间 {found}，而不是 {namespace}',
  },
  'pvc.reserved-claim': {
    en: 'PVC {claim} is {phase}: PV {pv} is reserved for claim {found}',
    zh: 'PVC {claim} 处于 {phase}：PV {pv} 预留给了 PVC {found}',
  },
  'pvc.stale-claimref': {
    en: "PVC {claim} is {phase}: PV {pv} is {pvPhase} and its claimRef still holds uid {staleUid} of a deleted claim (this PVC's uid is {uid})",
    zh: 'PVC {claim} 处于 {phase}：PV {pv} 处于 {pvPhase}，它的 claimRef 里还留着已删除 PVC 的 uid {staleUid}（这个 PVC 的 uid 是 {uid}）',
  },
  'pvc.no-storageclass': {
    en: 'PVC {claim} is {phase}: it has no storageClassName, so a dynamic claim was made instead of binding {pv} (expected storageClassName: "{pvClass}")',
    zh: 'PVC {claim} 处于 {phase}：它没有 storageClassName，于是成了动态申请，而没有绑定 {pv}（期望 storageClassName: "{pvClass}"）',
  },
  'pvc.storageclass-differs': {
    en: 'PVC {claim} is {phase}: storageClassName is {found}, PV {pv} has {pvClass}',
    zh: 'PVC {claim} 处于 {phase}：storageClassName 是 {found}，而 PV {pv} 的是 {pvClass}',
  },
  'pvc.size-mismatch': {
    en: 'PVC {claim} is {phase}: it requests {request}, PV {pv} offers {capacity}',
    zh: 'PVC {claim} 处于 {phase}：它请求 {request}，PV {pv} 提供 {capacity}',
  },
  'pvc.access-mode-mismatch': {
    en: 'PVC {claim} is {phase}: it asks for [{modes}], PV {pv} offers [{pvModes}]',
    zh: 'PVC {claim} 处于 {phase}：它要求 [{modes}]，PV {pv} 提供 [{pvModes}]',
  },
  'pvc.no-cause': {
    en: 'PVC {claim} is {phase} and no cause was found',
    zh: 'PVC {claim} 处于 {phase}，未找到原因',
  },
  'pvc.env-provisioner-differs': {
    en: "PVC {claim} is {phase}: StorageClass {storageClass} uses provisioner {found}, but the lab expects {expected}: the course environment's StorageClass, not the student's manifests",
    zh: 'PVC {claim} 处于 {phase}：StorageClass {storageClass} 使用的 Provisioner 是 {found}，而实验要求 {expected}：这是课程环境的 StorageClass 的问题，不是学生清单的问题',
  },
  'pvc.provisioning-failed': {
    en: "PVC {claim} is {phase}: provisioning failed ({detail}): the course environment's provisioner could not create the volume",
    zh: 'PVC {claim} 处于 {phase}：卷创建失败（`{detail}`）：课程环境的 Provisioner 无法创建卷',
  },
  'pvc.events-unreadable': {
    en: 'PVC {claim} is {phase}: the provisioner has not created its volume (events could not be read, so the grader cannot tell whether the provisioner is running)',
    zh: 'PVC {claim} 处于 {phase}：Provisioner 还没有为它创建卷（无法读取事件，评分程序无法判断 Provisioner 是否在运行）',
  },
  'pvc.provisioner-idle': {
    en: "PVC {claim} is {phase}: no provisioner acted on it (claim annotated for {annotated}, events: {reasons}): the provisioner of StorageClass {storageClass} ({provisioner}) is not running; the course environment's fault",
    zh: 'PVC {claim} 处于 {phase}：没有 Provisioner 处理它（PVC 注解的 Provisioner：{annotated}，事件：{reasons}）：StorageClass {storageClass} 的 Provisioner（{provisioner}）没有运行；这是课程环境的问题',
  },
  'pvc.no-provisioner': { en: 'no provisioner', zh: '无' },
  'pvc.provisioning-started': {
    en: 'PVC {claim} is {phase}: the provisioner started but has not created its volume yet',
    zh: 'PVC {claim} 处于 {phase}：Provisioner 已开始处理，但还没有创建卷',
  },
  'pvc.provisioner-never-acted': {
    en: "claim {claim} is {phase} and the provisioner {provisioner} of StorageClass {storageClass} never acted on it (no Provisioning events): it is not running, the course environment's fault",
    zh: 'PVC {claim} 处于 {phase}，StorageClass {storageClass} 的 Provisioner {provisioner} 从未处理它（没有 Provisioning 事件）：它没有运行，这是课程环境的问题',
  },
  'pvc.dynamically-provisioned': { en: '(dynamically provisioned)', zh: '（动态创建）' },
  'events-unreadable': { en: '(events could not be read)', zh: '（无法读取事件）' },

  // statefulset-ready
  'sts.where-template': {
    en: 'the pod template of {statefulSet}{container}',
    zh: '{statefulSet} 的 Pod 模板{container}',
  },
  'sts.where-pod': { en: 'pod {pod}{container}', zh: 'Pod {pod}{container}' },
  'sts.where-container': { en: ' (container {name})', zh: '（容器 {name}）' },
  'vol.none': { en: '{where} mounts nothing at {path}', zh: '{where} 没有在 {path} 挂载任何卷' },
  'vol.dangling': {
    en: '{where} mounts volume {volume} at {path}, but no volume or claim template has that name',
    zh: '{where} 在 {path} 挂载了卷 {volume}，但没有同名的 volume 或 volumeClaimTemplate',
  },
  'vol.emptydir': {
    en: '{where} mounts an emptyDir ({volume}) at {path}: its data is lost when the pod is deleted',
    zh: '{where} 在 {path} 挂载的是 emptyDir（{volume}）：删除 Pod 后数据会丢失',
  },
  'vol.other': {
    en: '{where} mounts a {source} volume at {path}, not the claim',
    zh: '{where} 在 {path} 挂载的是 {source} 卷，而不是 PVC',
  },
  'vol.template-not-claim': {
    en: '{where} mounts claim template {volume} at {path}, expected the existing claim {claim}',
    zh: '{where} 在 {path} 挂载的是 volumeClaimTemplate {volume}，期望已有的 PVC {claim}',
  },
  'vol.template-wrong': {
    en: '{where} mounts claim template {volume} at {path}, expected {expected}',
    zh: '{where} 在 {path} 挂载的是 volumeClaimTemplate {volume}，期望 {expected}',
  },
  'vol.template-readonly': {
    en: '{where} mounts claim template {volume} at {path} read-only: Redis cannot write its dump there',
    zh: '{where} 以只读方式在 {path} 挂载 volumeClaimTemplate {volume}：Redis 无法在那里写入 dump',
  },
  'vol.claim-wrong': {
    en: '{where} mounts claim {found} at {path}, expected {expected}',
    zh: '{where} 在 {path} 挂载的是 PVC {found}，期望 {expected}',
  },
  'vol.claim-not-template': {
    en: '{where} mounts claim {found} at {path}, expected claim template {template}',
    zh: '{where} 在 {path} 挂载的是 PVC {found}，期望 volumeClaimTemplate {template}',
  },
  'vol.claim-readonly': {
    en: '{where} mounts claim {found} at {path} read-only: Redis cannot write its dump there',
    zh: '{where} 以只读方式在 {path} 挂载 PVC {found}：Redis 无法在那里写入 dump',
  },
  'vol.kind-dangling': { en: 'no such volume', zh: '不存在的卷' },
  'sts.missing': {
    en: 'StatefulSet {statefulSet} not found in namespace {namespace}',
    zh: '命名空间 {namespace} 中找不到 StatefulSet {statefulSet}',
  },
  'sts.terminating': {
    en: 'StatefulSet {statefulSet} is being deleted ({detail})',
    zh: 'StatefulSet {statefulSet} 正在删除（{detail}）',
  },
  'sts.scaled-down': {
    en: 'StatefulSet {statefulSet} has replicas: {replicas}',
    zh: 'StatefulSet {statefulSet} 的 replicas 为 {replicas}',
  },
  'sts.redis-dir': {
    en: 'container {container} of {statefulSet} runs Redis with --dir {dir}: its dump is written outside {path}, so the claim does not keep it',
    zh: '{statefulSet} 的容器 {container} 用 --dir {dir} 运行 Redis：dump 写在 {path} 之外，PVC 保存不了它',
  },
  'sts.generation': {
    en: 'StatefulSet {statefulSet}: the controller has observed generation {observed} of {generation}',
    zh: 'StatefulSet {statefulSet}：控制器处理到的 generation 是 {observed}，最新为 {generation}',
  },
  'sts.pod-missing': { en: 'pod {pod} does not exist', zh: 'Pod {pod} 不存在' },
  'sts.claim-terminating': {
    en: 'pod {pod} mounts claim {claim} at {path}, but that claim is Terminating ({detail})',
    zh: 'Pod {pod} 在 {path} 挂载了 PVC {claim}，但这个 PVC 正在删除（Terminating，{detail}）',
  },
  'sts.env-image': {
    en: "{problem}: the image is the lab's ({image}), so the course environment (registry or node) failed, not the manifests",
    zh: '{problem}：镜像就是实验要求的（{image}），所以是课程环境（镜像仓库或节点）出了问题，不是清单的问题',
  },
  'sts.env-provisioner': { en: '{problem}: {idle}', zh: '{problem}：{idle}' },
  'sts.ready-replicas': {
    en: 'StatefulSet {statefulSet} reports readyReplicas {ready} of {replicas}',
    zh: 'StatefulSet {statefulSet} 报告 readyReplicas 为 {ready}（共 {replicas}）',
  },
  'sts.pass': {
    en: 'StatefulSet {statefulSet}: {ready}/{replicas} Ready, {path} backed by {backing}',
    zh: 'StatefulSet {statefulSet}：{ready}/{replicas} 就绪，{path} 由 {backing} 提供',
  },
  'sts.a-pvc': { en: 'a PVC', zh: '一个 PVC' },
  'sts.expected-replicas': { en: '>= 1, all Ready', zh: '>= 1，全部就绪' },
  'sts.backed-claim': { en: 'claim {claim}', zh: 'PVC {claim}' },
  'sts.backed-template': { en: 'volumeClaimTemplates {template}', zh: 'volumeClaimTemplates {template}' },
  'sts.backed-any': { en: 'a PersistentVolumeClaim', zh: '一个 PersistentVolumeClaim' },

  // headless-dns
  'dns.sts-missing': {
    en: 'StatefulSet {statefulSet} not found, so no per-pod DNS records can exist',
    zh: '找不到 StatefulSet {statefulSet}，因此不可能有每个 Pod 的 DNS 记录',
  },
  'dns.no-service-name-expected': {
    en: '(the StatefulSet has no serviceName)',
    zh: '（StatefulSet 没有 serviceName）',
  },
  'dns.service-terminating': {
    en: 'Service {service} is Terminating ({detail}): it publishes no DNS records',
    zh: 'Service {service} 正在删除（Terminating，{detail}）：它不会发布 DNS 记录',
  },
  'dns.service-name-mismatch': {
    en: "Service {other} selects the pods, but the StatefulSet's serviceName is {serviceName}: per-pod records exist only under a headless Service named exactly like serviceName, so {fqdn} does not resolve",
    zh: 'Service {other} 选中了这些 Pod，但 StatefulSet 的 serviceName 是 {serviceName}：每个 Pod 的 DNS 记录只会建在名称与 serviceName 完全相同的 Headless Service 下，所以 {fqdn} 无法解析',
  },
  'dns.no-service': {
    en: "no Service named {service} (the StatefulSet's serviceName) in {namespace}",
    zh: '命名空间 {namespace} 中没有名为 {service} 的 Service（即 StatefulSet 的 serviceName）',
  },
  'dns.no-service-name': {
    en: 'StatefulSet {statefulSet} has no serviceName and no Service selects its pods',
    zh: 'StatefulSet {statefulSet} 没有 serviceName，也没有 Service 选中它的 Pod',
  },
  'dns.not-headless': {
    en: 'Service {service} is not headless (clusterIP {clusterIP}, expected None)',
    zh: 'Service {service} 不是 Headless 的（clusterIP 为 {clusterIP}，期望 None）',
  },
  'dns.selects-nothing': {
    en: 'headless Service {service} selects {selector}, which matches none of the pods (labels {labels})',
    zh: 'Headless Service {service} 的 selector {selector} 没有选中任何 Pod（Pod 的标签为 {labels}）',
  },
  'dns.no-ready-pod': {
    en: 'no Ready pod of {statefulSet} to resolve names from (DNS records exist only for Ready pods)',
    zh: '{statefulSet} 没有就绪的 Pod 可用来解析域名（只有就绪的 Pod 才有 DNS 记录）',
  },
  'dns.weak-structure-only': {
    en: 'weaker evidence: neither getent nor nslookup can run in {pod} and EndpointSlices are not served; Service {service} is headless, named by serviceName and selects {count} Ready pod(s)',
    zh: '较弱的证据：{pod} 中 getent 和 nslookup 都无法运行，且集群不提供 EndpointSlice；Service {service} 是 Headless 的，名称等于 serviceName，并选中了 {count} 个就绪的 Pod',
  },
  'dns.weak-missing': {
    en: 'weaker evidence (EndpointSlice hostnames; neither getent nor nslookup can run in {pod}): no ready endpoint with hostname {missing} in Service {service}',
    zh: '较弱的证据（EndpointSlice 的 hostname；{pod} 中 getent 和 nslookup 都无法运行）：Service {service} 中没有 hostname 为 {missing} 的就绪端点',
  },
  'dns.weak-pass': {
    en: 'weaker evidence: neither getent nor nslookup can run in {pod}; EndpointSlices of headless Service {service} publish hostnames {hostnames}',
    zh: '较弱的证据：{pod} 中 getent 和 nslookup 都无法运行；Headless Service {service} 的 EndpointSlice 发布了 hostname {hostnames}',
  },
  'dns.pass': {
    en: 'resolved {count} pod FQDN(s) and the Service name with `{tool}` from inside {pod}, e.g. {example}',
    zh: '在 {pod} 内用 `{tool}` 解析了 {count} 个 Pod 的完整域名和 Service 名称，例如 {example}',
  },
  'dns.unresolved': {
    en: '`{tool}` in {pod} could not resolve {names} (retried {seconds} s)',
    zh: '{pod} 中的 `{tool}` 无法解析 {names}（重试了 {seconds} 秒）',
  },
  'dns.no-answer': {
    en: 'cluster DNS did not answer `{tool}` in {pod} for {names} (asked for {seconds} s): a cluster problem, not counted against the student',
    zh: '集群 DNS 没有回应 {pod} 中 `{tool}` 对 {names} 的查询（持续询问了 {seconds} 秒）：这是集群的问题，不计入学生成绩',
  },

  // redis-persistence
  'redis.no-ready-pod': {
    en: 'no Ready pod {pod} to write to, so persistence cannot be evaluated',
    zh: '没有就绪的 Pod {pod} 可以写入，因此无法评估持久化',
  },
  'redis.not-owned': {
    en: "pod {pod} is not controlled by StatefulSet {statefulSet} (uid {uid}; the pod's ownerReferences: {refs}): a bare pod is not re-created, so it was not deleted and persistence cannot be proved",
    zh: 'Pod {pod} 不受 StatefulSet {statefulSet}（uid {uid}）控制（Pod 的 ownerReferences：{refs}）：单独的 Pod 删除后不会重建，所以评分程序没有删除它，也无法证明持久化',
  },
  'redis.no-statefulset': {
    en: 'pod {pod} exists but StatefulSet {statefulSet} does not: a bare pod is not re-created, so it was not deleted and persistence cannot be proved',
    zh: 'Pod {pod} 存在，但 StatefulSet {statefulSet} 不存在：单独的 Pod 删除后不会重建，所以评分程序没有删除它，也无法证明持久化',
  },
  'redis.set-failed': {
    en: 'redis-cli SET answered {answer}, expected "OK"',
    zh: 'redis-cli SET 的回答是 {answer}，期望 "OK"',
  },
  'redis.save-failed': {
    en: 'redis-cli SAVE answered {answer}, expected "OK"',
    zh: 'redis-cli SAVE 的回答是 {answer}，期望 "OK"',
  },
  'redis.env-not-ready': {
    en: 'the replacement pod {pod} (uid {uid}) was not Ready within {seconds} s: {problem}; the previous pod ran the same spec, so the course environment failed, not the manifests',
    zh: '重建的 Pod {pod}（uid {uid}）在 {seconds} 秒内没有就绪：{problem}；之前的 Pod 使用相同的 spec，所以是课程环境出了问题，不是清单的问题',
  },
  'redis.not-recreated': {
    en: 'the replacement pod {pod} (uid {uid}) was not Ready within {seconds} s: {problem}{unclear}',
    zh: '重建的 Pod {pod}（uid {uid}）在 {seconds} 秒内没有就绪：{problem}{unclear}',
  },
  'redis.unclear': {
    en: '; the previous pod ran the same spec and was Ready, and the grader cannot tell from the status whether the manifests or the environment keep this one from Ready',
    zh: '；之前的 Pod 使用相同的 spec 并且已就绪，评分程序无法从状态判断是清单还是环境让这个 Pod 无法就绪',
  },
  'redis.no-replacement': {
    en: 'no replacement for pod {pod} appeared within {seconds} s of the delete ({why})',
    zh: '删除 Pod {pod} 后 {seconds} 秒内没有出现新的 Pod（{why}）',
  },
  'redis.old-terminating': { en: 'the old pod is still terminating', zh: '旧 Pod 仍在删除中' },
  'redis.controller-idle': {
    en: 'the StatefulSet controller did not re-create it',
    zh: 'StatefulSet 控制器没有重建它',
  },
  'redis.data-lost': {
    en: 'after deleting {pod} (uid {oldUid} -> {newUid}) GET {key} answered {got}, expected {value}: the data did not survive{student}',
    zh: '删除 {pod}（uid {oldUid} -> {newUid}）后，GET {key} 的回答是 {got}，期望 {value}：数据没有保留下来{student}',
  },
  'redis.pass': {
    en: 'a value written and saved before deleting {pod} was read back from the new pod (uid {oldUid} -> {newUid}){student}',
    zh: '删除 {pod} 之前写入并保存的值，从新 Pod 中读回来了（uid {oldUid} -> {newUid}）{student}',
  },
  'redis.student-key': { en: '; your {key}: {value}', zh: '；你的 {key}：{value}' },
  'redis.cli-missing': {
    en: 'redis-cli cannot run in {pod}/{container}: {reason}',
    zh: '{pod}/{container} 中无法运行 redis-cli：`{reason}`',
  },
  'redis.cleanup-failed': { en: 'failed (the key may remain)', zh: '失败（该键可能仍然存在）' },

  // The runner, and failures of the grader or the cluster (never the student's).
  'run.cancelled-before': {
    en: 'the run was cancelled before this check ran',
    zh: '这项检查运行之前，评分已被取消',
  },
  'run.deadline-before': {
    en: "the run's deadline ({seconds} s) passed before this check ran",
    zh: '这项检查运行之前，整次评分的期限（{seconds} 秒）已过',
  },
  'run.needs': {
    en: 'cannot be evaluated: it needs {unmet} to pass first',
    zh: '无法评估：需要先通过 {unmet}',
  },
  'run.need': { en: '{id} ({status})', zh: '{id}（{status}）' },
  'run.disruptive-off': {
    en: 'skipped: disruptive checks are switched off for this run (non-disruptive mode)',
    zh: '已跳过：本次评分关闭了破坏性检查（非破坏模式）',
  },
  'run.no-primitive': { en: 'the grader has no primitive {uses}', zh: '评分程序没有名为 {uses} 的检查原语' },
  'run.invalid-params': {
    en: 'lab {lab}: invalid parameters for {check}: {issues}',
    zh: '实验 {lab}：检查 {check} 的参数无效：`{issues}`',
  },
  'run.template-error': { en: 'lab {lab}: {path}: {error}', zh: '实验 {lab}：{path}：`{error}`' },
  'run.cancelled': { en: 'the run was cancelled', zh: '评分已被取消' },
  'run.check-deadline': {
    en: 'the check did not finish within its deadline ({seconds} s)',
    zh: '这项检查没有在期限（{seconds} 秒）内完成',
  },
  'run.run-deadline': {
    en: "the run's deadline ({seconds} s) passed",
    zh: '整次评分的期限（{seconds} 秒）已过',
  },
  'run.run-deadline-passed': { en: "the run's deadline passed", zh: '整次评分的期限已过' },
  'run.deadline-with-error': { en: '{deadline}: {error}', zh: '{deadline}：{error}' },
  'run.grader-failed': { en: 'the grader failed: {detail}', zh: '评分程序内部出错（技术细节：`{detail}`）' },
  'run.not-judged': {
    en: 'not judged: the run ended with an infrastructure error',
    zh: '未评判：本次评分因基础设施错误而结束',
  },
  'cluster.error': { en: '{detail}', zh: '{kind}（技术细节：`{detail}`）' },
  'cluster.kind.unreachable': {
    en: 'cannot reach the Kubernetes API server',
    zh: '无法连接 Kubernetes API 服务器',
  },
  'cluster.kind.timeout': { en: 'the cluster did not answer in time', zh: '集群没有及时响应，或检查超时' },
  'cluster.kind.forbidden': {
    en: "the grader's service account lacks a permission (403)",
    zh: '评分程序的服务账号缺少权限（403）',
  },
  'cluster.kind.unauthorized': {
    en: "the API server rejected the grader's credentials (401)",
    zh: 'API 服务器拒绝了评分程序的凭据（401）',
  },
  'cluster.kind.throttled': {
    en: 'the API server is throttling requests (429)',
    zh: 'API 服务器正在限流（429）',
  },
  'cluster.kind.server': { en: 'the API server failed (5xx)', zh: 'API 服务器出错（5xx）' },
  'cluster.kind.conflict': { en: 'the object changed meanwhile (409)', zh: '对象在此期间被修改（409）' },
  'cluster.kind.cancelled': { en: 'the run was cancelled', zh: '评分已被取消' },
  'cluster.kind.environment': { en: "the course environment's fault", zh: '课程环境出错' },
  'cluster.kind.unexpected': { en: 'the cluster gave an unexpected answer', zh: '集群给出了意外的回答' },
} as const satisfies Record<string, Localized>;

type Catalog = typeof catalog;

/** Every message key the grader can emit. */
export type MessageKey = keyof Catalog;

/** The `{name}` placeholders of a template, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

/** The parameters a message's templates name (both languages). */
type Params<K extends MessageKey> = Placeholders<Catalog[K]['en']> | Placeholders<Catalog[K]['zh']>;

/** A parameter: an object name, a number, cluster text, another message, or a list of them. */
export type MessageParam = string | number | boolean | null | Message | readonly MessageParam[];

/** What a check found, in no language yet: a catalog key with its parameters. */
export interface Message {
  $msg: string;
  params: Record<string, MessageParam>;
}

/** A message rendered in both languages, as the JSON report and the web receive it. */
export interface LocalizedMessage extends Message, Localized {}

/** The languages the course uses. */
export type Lang = keyof Localized;

/** The catalog: key -> zh-CN and en templates with `{param}` placeholders. */
export const messages: Readonly<Record<MessageKey, Localized>> = catalog;

/** True when `key` is a message in the catalog. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalog, key);
}

/** The placeholder names of a template, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''))];
}

/** A message with the parameters its template names (checked at compile time). */
export function msg<K extends MessageKey>(
  key: K,
  ...params: Params<K> extends never ? [] : [Record<Params<K>, MessageParam>]
): Message {
  return { $msg: key, params: (params[0] ?? {}) as Record<string, MessageParam> };
}

/** True when `v` has the shape of a Message. */
export function isMessage(v: unknown): v is Message {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { $msg?: unknown }).$msg === 'string' &&
    typeof (v as { params?: unknown }).params === 'object'
  );
}

function renderParam(v: MessageParam | undefined, lang: Lang, name: string): string {
  if (v === undefined) return `{${name}}`;
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v))
    return v.map((x) => renderParam(x as MessageParam, lang, name)).join(lang === 'zh' ? '、' : ', ');
  return renderMessage(v as Message, lang);
}

/** The message in one language; an unknown key renders as the key and its parameters, a missing parameter as `{name}`. */
export function renderMessage(m: Message, lang: Lang): string {
  const entry = isMessageKey(m.$msg) ? catalog[m.$msg] : undefined;
  if (!entry) return `${m.$msg} ${JSON.stringify(m.params)}`;
  return entry[lang].replace(/\{(\w+)\}/g, (_, name: string) => renderParam(m.params[name], lang, name));
}

/** The message with its text in both languages. */
export function localize(m: Message): LocalizedMessage {
  return { $msg: m.$msg, params: m.params, zh: renderMessage(m, 'zh'), en: renderMessage(m, 'en') };
}

/** A list as one parameter, joined by semicolons ("a; b; c" / "a；b；c"). */
export function semicolonList(items: readonly Message[]): MessageParam {
  if (items.length === 0) return '';
  const [first, ...rest] = items;
  return rest.length === 0
    ? (first as Message)
    : msg('list-semicolon', { first: first as Message, rest: semicolonList(rest) });
}

/** The word for a check status ("fail" / "未通过"). */
export function statusWord(status: 'pass' | 'fail' | 'error' | 'skipped'): Message {
  return msg(`status.${status}`);
}

/** Evidence with every message in it given its text in both languages (values otherwise unchanged). */
export function localizeEvidence<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (isMessage(v)) return localize(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
