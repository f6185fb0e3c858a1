// The diagnosis catalog: every hint names the cause and the chapter section that teaches the fix
// ("Kubernetes 存储与 StatefulSet"). Keys are stable: results, exports and the web refer to them.
import type { Hint, Localized } from './types.ts';

const catalog = {
  'pv-missing': {
    zh: '找不到要求的 PV。请按“第三部分 7.2 创建 PV”（实验 B 见“第五部分 提前准备 PV 与 PVC”）创建它，名称要与题目一致（PV 是集群级资源，没有命名空间）。',
    en: 'The required PV does not exist. Create it as in "Part 3, 7.2 Create the PV" (lab B: "Part 5, prepare the PV and PVC"), with exactly the name the lab asks for (PVs are cluster-scoped).',
  },
  'claimref-missing': {
    zh: 'PV 没有 spec.claimRef，没有预绑定到你的 PVC，可能被别的 PVC 抢走。请按“第三部分 6.1 预绑定 PVC 的 PV：claimRef”加上 claimRef 的 name 和 namespace。',
    en: 'The PV has no spec.claimRef, so it is not reserved for your PVC and any claim may take it. Add claimRef with name and namespace as in "Part 3, 6.1 Pre-binding a PV with claimRef".',
  },
  'claimref-namespace-wrong': {
    zh: 'PV 的 spec.claimRef.namespace 不是你的命名空间，PV 会一直 Available，你的 PVC 一直 Pending。claimRef 必须同时写对 name 和 namespace（第三部分 6.1 / 7.2）。改正后需删除并重建 PV（claimRef 创建后不易修改）。',
    en: "The PV's spec.claimRef.namespace is not your namespace, so the PV stays Available and your PVC stays Pending. claimRef needs both the right name AND namespace (Part 3, 6.1 / 7.2); delete and re-create the PV with the fix.",
  },
  'claimref-name-wrong': {
    zh: 'PV 的 spec.claimRef.name 与 PVC 名称不一致，预绑定不会生效。请核对 PVC 的名称（第三部分 6.1；第四部分 6.1 创建 PVC）。',
    en: "The PV's spec.claimRef.name does not match the PVC's name, so the pre-binding cannot take effect. Check the PVC name (Part 3, 6.1; Part 4, 6.1 Create the PVC).",
  },
  'pv-attributes-wrong': {
    zh: 'PV 的属性与教程不一致（容量 64Mi、访问模式 ReadWriteMany、回收策略 Retain、NFS 的 server/path）。请对照“第三部分 7.2 创建 PV”逐项修改；详情见“期望/实际”。',
    en: 'The PV\'s attributes differ from the ones taught (capacity 64Mi, access mode ReadWriteMany, reclaim policy Retain, NFS server/path). Compare with "Part 3, 7.2 Create the PV"; see expected vs found.',
  },
  'pvc-missing': {
    zh: '你的命名空间里没有要求的 PVC。请按“第四部分 6.1 创建 PVC”创建，并确认 metadata.namespace 与名称正确。',
    en: 'The required PVC is not in your namespace. Create it as in "Part 4, 6.1 Create the PVC", with the right name and metadata.namespace.',
  },
  'pvc-storageclass-missing': {
    zh: 'PVC 没有写 storageClassName: ""（空字符串）。不写时默认 StorageClass 会动态创建一个新 PV，预绑定的 PV 仍然 Available。请加上 storageClassName: ""（第四部分 6.1；第四部分 5 讲 Storage Class），删除并重建 PVC。',
    en: 'The PVC lacks storageClassName: "" (the empty string). Without it the default StorageClass provisions a new PV dynamically and the pre-bound PV stays Available. Add storageClassName: "" (Part 4, 6.1; Storage Classes in Part 4, 5), then delete and re-create the PVC.',
  },
  'pvc-size-mismatch': {
    zh: 'PVC 请求的容量大于 PV 的容量，无法绑定（第四部分 6.1：两边都是 64Mi）。容量按数量比较（64Mi = 67108864）。',
    en: 'The PVC requests more storage than the PV offers, so they cannot bind (Part 4, 6.1: both are 64Mi). Sizes are compared as quantities (64Mi = 67108864).',
  },
  'pvc-access-mode-mismatch': {
    zh: 'PVC 的 accessModes 不在 PV 支持的访问模式之内（教程中两边都是 ReadWriteMany），无法绑定（第三部分 3 访问模式；第四部分 6.1）。',
    en: "The PVC's accessModes are not all offered by the PV (the chapter uses ReadWriteMany on both sides), so they cannot bind (Part 3, 3 access modes; Part 4, 6.1).",
  },
  'pvc-stale-claimref': {
    zh: 'PV 处于 Released 状态，claimRef 里还留着已删除 PVC 的 uid/resourceVersion，新建的同名 PVC 会一直 Pending。按“第四部分 6.4 PV 状态管理与 claimRef 清理”执行：kubectl patch pv <PV名> -p \'{"spec":{"claimRef": null}}\'（或只删除 uid 和 resourceVersion）。',
    en: 'The PV is Released and its claimRef still holds the deleted PVC\'s uid/resourceVersion, so the re-created PVC stays Pending. Follow "Part 4, 6.4 PV state and claimRef cleanup": kubectl patch pv <pv> -p \'{"spec":{"claimRef": null}}\' (or remove only uid and resourceVersion).',
  },
  'pvc-no-matching-pv': {
    zh: 'PVC 处于 Pending：没有能满足它的 PV（要求的 PV 不存在）。请先创建 PV（第三部分 7.2），再确认 PVC 绑定（第四部分 6.1）。',
    en: 'The PVC is Pending: no PV can satisfy it (the required PV does not exist). Create the PV first (Part 3, 7.2), then check the binding (Part 4, 6.1).',
  },
  'pvc-bound-wrong-pv': {
    zh: 'PVC 已 Bound，但绑定的不是要求的 PV（spec.volumeName 不对）。通常是 PV 没有 claimRef 预绑定或 PVC 缺少 storageClassName: ""（第三部分 6.1；第四部分 6.1）。',
    en: 'The PVC is Bound, but not to the required PV (spec.volumeName differs). Usually the PV lacks its claimRef or the PVC lacks storageClassName: "" (Part 3, 6.1; Part 4, 6.1).',
  },
  'pvc-binding-disagrees': {
    zh: '绑定只在一侧成立：PVC 的 volumeName 与 PV 的 claimRef.uid 不一致（“Bound”还不够，两边都要对上）。见第四部分 6.4 claimRef 字段详解。',
    en: 'The binding is one-sided: the PVC\'s volumeName and the PV\'s claimRef.uid do not agree ("Bound" alone is not enough; both sides must match). See Part 4, 6.4 on claimRef.',
  },
  'pvc-pending': {
    zh: 'PVC 仍是 Pending，未能确定原因。请用 kubectl describe pvc 查看事件，对照第四部分 6.1 与 6.4 排查。',
    en: 'The PVC is still Pending and the cause could not be determined. Run kubectl describe pvc and compare with Part 4, 6.1 and 6.4.',
  },
  'storageclass-missing': {
    zh: '找不到要求的 StorageClass（如 nfs-client）。动态供应需要先按“第五部分 动态 PV 创建：nfs-subdir-external-provisioner”安装插件并应用 class.yaml（这通常由教员完成）。',
    en: 'The required StorageClass (e.g. nfs-client) does not exist. Dynamic provisioning needs the nfs-subdir-external-provisioner installed and class.yaml applied ("Part 5, dynamic PVs with nfs-subdir-external-provisioner"; usually the instructor\'s job).',
  },
  'claim-not-dynamic': {
    zh: 'PVC 绑定的 PV 不是由 Provisioner 动态创建的（缺少 pv.kubernetes.io/provisioned-by 注解，或 storageClassName 不对）。volumeClaimTemplates 里应写 storageClassName: "nfs-client"（第五部分 情况 2 与“动态分配的PV”练习）。',
    en: 'The claim is not bound to a dynamically provisioned PV (no pv.kubernetes.io/provisioned-by annotation, or the wrong storageClassName). The volumeClaimTemplates need storageClassName: "nfs-client" (Part 5, case 2 and the dynamic-PV exercise).',
  },
  'statefulset-missing': {
    zh: '你的命名空间里没有要求的 StatefulSet。请按第五部分的练习（statefulset-redis-*.yml）创建，名称要一致。',
    en: 'The required StatefulSet is not in your namespace. Create it as in the Part 5 exercise (statefulset-redis-*.yml), with the same name.',
  },
  'statefulset-scaled-down': {
    zh: 'StatefulSet 的 replicas 为 0，没有 Pod 在运行。请把 replicas 设为 1（第五部分练习；第七部分 1 字段解析）。',
    en: 'The StatefulSet has replicas: 0, so no pod runs. Set replicas: 1 (Part 5 exercise; Part 7, 1 field reference).',
  },
  'statefulset-rollout-pending': {
    zh: 'StatefulSet 控制器还没有处理最新的修改（status.observedGeneration 落后）或仍在滚动更新。稍等片刻后再评分（第五部分 部署与验证步骤：kubectl get statefulsets）。',
    en: 'The StatefulSet controller has not caught up with the latest change (status.observedGeneration is behind) or a rollout is in progress. Wait a moment and grade again (Part 5, deploy and verify: kubectl get statefulsets).',
  },
  'readiness-failing': {
    zh: 'Pod 在运行但未就绪（Ready=False）：就绪探针 redis-cli ping 没有成功。请查看 kubectl describe pod 的事件和容器日志（第五部分 部署与验证步骤）。',
    en: 'The pod runs but is not Ready: the readiness probe (redis-cli ping) is failing. Check kubectl describe pod events and the container logs (Part 5, deploy and verify).',
  },
  'pod-not-running': {
    zh: 'StatefulSet 的 Pod 不存在或没有 Running（Pending、CrashLoopBackOff、镜像拉取失败等）。请用 kubectl get pods 和 kubectl describe pod 排查（第五部分 部署与验证步骤）。若 Pod 因 PVC 未绑定而 Pending，请先解决 PVC 问题。',
    en: 'A StatefulSet pod is missing or not Running (Pending, CrashLoopBackOff, image pull failure...). Investigate with kubectl get pods / describe pod (Part 5, deploy and verify). A pod Pending on an unbound PVC needs the PVC fixed first.',
  },
  'data-volume-emptydir': {
    zh: '/data 挂载的是 emptyDir：Pod 可以 Ready，但删除 Pod 后数据就没了。/data 必须挂载 PVC（volumes 里的 persistentVolumeClaim.claimName，或 volumeClaimTemplates），见第五部分“PVC 挂载到 Pod 的基本语法”。',
    en: '/data is an emptyDir: the pod can be Ready and still lose its data when deleted. /data must mount the PVC (persistentVolumeClaim.claimName in volumes, or volumeClaimTemplates); see "Part 5, mounting a PVC in a pod".',
  },
  'data-volume-missing': {
    zh: '容器没有在 /data 挂载任何卷（volumeMounts 缺少 mountPath: /data，或卷名与 volumes 不对应），Redis 数据只在容器里，删除 Pod 即丢失（第五部分“PVC 挂载到 Pod 的基本语法”）。',
    en: 'The container mounts nothing at /data (no volumeMount with mountPath: /data, or its name matches no volume), so Redis keeps its data inside the container and loses it on delete ("Part 5, mounting a PVC in a pod").',
  },
  'data-volume-wrong-claim': {
    zh: '/data 挂载的 PVC 不是题目要求的那个（claimName 或 volumeClaimTemplates 名称不对）。请对照第五部分练习中的 claimName / volumeClaimTemplates。',
    en: '/data mounts a different PVC from the one the lab asks for (claimName or the volumeClaimTemplates name). Compare with the claimName / volumeClaimTemplates in the Part 5 exercise.',
  },
  'service-missing': {
    zh: '没有与 StatefulSet 的 serviceName 同名的 Headless Service，Pod 没有 {pod}.{service}.{namespace}.svc.cluster.local 记录。请按第七部分 2 的 headless-*.yml 创建（clusterIP: None，selector 与 Pod 标签一致，名称等于 serviceName）。',
    en: "There is no headless Service named after the StatefulSet's serviceName, so pods get no {pod}.{service}.{namespace}.svc.cluster.local records. Create one as in Part 7, 2 (headless-*.yml): clusterIP: None, a selector matching the pod labels, named exactly like serviceName.",
  },
  'service-name-mismatch': {
    zh: 'Headless Service 的名称与 StatefulSet 的 spec.serviceName 不一致。Pod 的 DNS 记录只会建在“名称等于 serviceName 的 Headless Service”下面。注意：教程第七部分 3.1 自己就写错了——Service 叫 service-headless-redis-exist-pvc，而 StatefulSet 写的是 serviceName: "redis-exist-pvc"，所以 3.3 的 nslookup 在真实集群上不会成功；Pod 里 /etc/hosts 仍显示 serviceName 形式的域名，这会误导你。请把 Service 改名为 serviceName 的值（或把 serviceName 改成 Service 名并重建 StatefulSet）。',
    en: "The headless Service's name differs from the StatefulSet's spec.serviceName. Per-pod DNS records exist only under a headless Service named exactly like serviceName. Note: the chapter itself gets this wrong in Part 7, 3.1: the Service is named service-headless-redis-exist-pvc while the StatefulSet says serviceName: \"redis-exist-pvc\", so the nslookup in 3.3 cannot succeed on a real cluster; the pod's /etc/hosts still shows the serviceName-based name, which is misleading. Rename the Service to the serviceName value (or change serviceName and re-create the StatefulSet).",
  },
  'service-not-headless': {
    zh: 'Service 不是 Headless 的（spec.clusterIP 不是 None），不会为每个 Pod 生成 DNS 记录。请设置 clusterIP: None（第七部分 3.1 / 3.2）。clusterIP 不能原地修改，需要删除后重建 Service。',
    en: 'The Service is not headless (spec.clusterIP is not None), so no per-pod DNS records are made. Set clusterIP: None (Part 7, 3.1 / 3.2); clusterIP cannot be changed in place, so delete and re-create the Service.',
  },
  'service-selects-nothing': {
    zh: 'Headless Service 的 selector 没有选中 StatefulSet 的 Pod（标签不一致或 selector 为空），DNS 没有记录。selector 要与 Pod 模板的标签一致，如 app: redis-exist-pvc（第七部分 3.1）。',
    en: "The headless Service's selector selects none of the StatefulSet's pods (labels differ or the selector is empty), so DNS has no records. The selector must match the pod template labels, e.g. app: redis-exist-pvc (Part 7, 3.1).",
  },
  'dns-not-resolving': {
    zh: '在 Pod 内解析 Pod 的完整域名失败（多次重试后仍失败）。请确认 Service 为 Headless、名称等于 serviceName、selector 选中了就绪的 Pod（第七部分 3.2 / 3.3）。',
    en: "Resolving the pod's FQDN from inside a pod failed, even after retries. Check the Service is headless, named like serviceName and selects Ready pods (Part 7, 3.2 / 3.3).",
  },
  'redis-write-failed': {
    zh: 'Redis 拒绝写入（SET 没有返回 OK，例如 READONLY、MISCONF、LOADING）。请查看 Redis 日志；MISCONF 通常表示 /data 不可写（第五部分 3. 验证 Redis 数据持久化）。',
    en: 'Redis refused the write (SET did not answer OK, e.g. READONLY, MISCONF, LOADING). Check the Redis logs; MISCONF usually means /data is not writable (Part 5, 3. verify Redis persistence).',
  },
  'redis-save-failed': {
    zh: 'Redis 的 SAVE 没有返回 OK，数据没能写到 /data/dump.rdb。通常是 /data 不可写或没有挂载持久卷（第五部分 3. 验证 Redis 数据持久化）。',
    en: 'Redis SAVE did not answer OK, so the data did not reach /data/dump.rdb. Usually /data is not writable or not a persistent volume (Part 5, 3. verify Redis persistence).',
  },
  'redis-cli-missing': {
    zh: '容器里无法运行 redis-cli（镜像不对？）。请使用教程指定的 redis:7.4.4 镜像（第五部分练习）。',
    en: 'redis-cli cannot run in the container (wrong image?). Use the redis:7.4.4 image the chapter specifies (Part 5 exercise).',
  },
  'pod-not-recreated': {
    zh: '删除 Pod 后，新的 Pod 在期限内没有变为 Ready（StatefulSet 会重建同名 Pod）。请查看新 Pod 的事件、探针和日志（第五部分 3. 验证 Redis 数据持久化，第 4 步）。',
    en: "After the pod was deleted, its replacement did not become Ready in time (the StatefulSet re-creates a pod with the same name). Check the new pod's events, probes and logs (Part 5, 3. verify Redis persistence, step 4).",
  },
  'data-lost': {
    zh: '删除 Pod 后写入的数据没有保留下来：/data 上的数据没有持久化。请确认 /data 挂载的是已绑定的 PVC，而不是 emptyDir 或容器自身的文件系统（第五部分 3. 验证 Redis 数据持久化）。',
    en: 'Data written before the pod was deleted did not survive: /data is not persistent. Make sure /data mounts the Bound PVC, not an emptyDir or the container filesystem (Part 5, 3. verify Redis persistence).',
  },
  'env-nfs-root-squash': {
    zh: '这是课程环境的问题，不是你的错：NFS 导出启用了 root_squash，Redis 镜像启动时 chown /data 失败，Pod 反复崩溃。请联系教员在 /etc/exports 中使用 no_root_squash（第二部分 3.2 创建并配置共享目录）。',
    en: "This is the course environment's fault, not yours: the NFS export uses root_squash, so the Redis image's chown of /data fails and the pod crash-loops. Ask the instructor to export with no_root_squash (Part 2, 3.2 shared directory setup).",
  },
  'pvc-terminating': {
    zh: 'PVC 正在删除中（已设置 deletionTimestamp，kubectl get pvc 显示 Terminating）：它已经不算 Bound。只要还有 Pod 在使用，kubernetes.io/pvc-protection 会让它停在 Terminating；Pod 一旦删除，PVC 就会消失，新 Pod 无法启动。请不要删除正在使用的 PVC；若已删除，按第四部分 6.4 处理 PV 后重新创建 PVC。',
    en: 'The PVC is being deleted (deletionTimestamp set; kubectl get pvc shows Terminating), so it no longer counts as Bound. kubernetes.io/pvc-protection keeps it Terminating while a pod uses it; once the pod goes, the claim is gone and the new pod cannot start. Do not delete a claim in use; if you did, fix the PV as in Part 4, 6.4 and re-create the PVC.',
  },
  'pv-terminating': {
    zh: 'PV 正在删除中（已设置 deletionTimestamp，显示 Terminating）：kubernetes.io/pv-protection 让它在被 PVC 绑定期间保留，但它已经不算可用的卷。请重新创建 PV（第三部分 7.2），必要时按第四部分 6.4 清理 claimRef。',
    en: 'The PV is being deleted (deletionTimestamp set; shown as Terminating): kubernetes.io/pv-protection keeps it while a claim is bound, but it no longer counts as a usable volume. Re-create the PV (Part 3, 7.2) and clean up claimRef as in Part 4, 6.4 if needed.',
  },
  'pod-terminating': {
    zh: 'Pod 正在删除中（Terminating，已设置 deletionTimestamp），不算 Ready。若它一直停在 Terminating，通常是 metadata.finalizers 挡住了删除（例如 Pod 模板里写了 finalizers）：请去掉这些 finalizer（第五部分 部署与验证步骤）。',
    en: 'The pod is being deleted (Terminating, deletionTimestamp set), so it does not count as Ready. If it stays Terminating, metadata.finalizers usually hold it (e.g. finalizers in the pod template): remove them (Part 5, deploy and verify).',
  },
  'statefulset-terminating': {
    zh: 'StatefulSet 正在删除中（已设置 deletionTimestamp）。请等待删除完成后按第五部分的练习重新创建。',
    en: 'The StatefulSet is being deleted (deletionTimestamp set). Wait until it is gone and re-create it as in the Part 5 exercise.',
  },
  'pod-not-owned': {
    zh: '名为 {StatefulSet 名}-0 的 Pod 不属于要求的 StatefulSet（没有指向它的 ownerReference，或 StatefulSet 不存在），它是一个单独创建的 Pod：删除后不会被重建，所以评分器没有删除它，也无法验证持久化。请删除这个 Pod，用第五部分练习中的 StatefulSet 创建 Redis。',
    en: 'The pod named {statefulset}-0 is not owned by the required StatefulSet (no ownerReference to it, or the StatefulSet does not exist): it is a bare pod, which nothing re-creates after a delete, so the grader did not delete it and cannot prove persistence. Delete that pod and create Redis with the StatefulSet of the Part 5 exercise.',
  },
  'data-volume-readonly': {
    zh: '/data 以只读方式挂载（volumeMounts 的 readOnly: true 或 persistentVolumeClaim.readOnly）：Redis 无法写入 dump.rdb，镜像入口脚本的 chown /data 也会失败。请去掉 readOnly（第五部分“PVC 挂载到 Pod 的基本语法”）。',
    en: '/data is mounted read-only (readOnly: true on the volumeMount or persistentVolumeClaim.readOnly): Redis cannot write dump.rdb and the image entrypoint\'s chown of /data fails. Remove readOnly ("Part 5, mounting a PVC in a pod").',
  },
  'redis-dir-elsewhere': {
    zh: 'Redis 的 --dir 参数指向 /data 之外的目录：即使 /data 挂载了 PVC，dump.rdb 也写在容器自己的文件系统里，删除 Pod 后数据丢失。请去掉 --dir 或让它指向 /data（第五部分 3. 验证 Redis 数据持久化）。',
    en: "Redis's --dir points outside /data: even with the PVC mounted at /data, dump.rdb is written to the container's own filesystem and is lost with the pod. Drop --dir or point it at /data (Part 5, 3. verify Redis persistence).",
  },
  'shared-pv-taken': {
    zh: '共享集群的陷阱：第四部分 6.4 的第一种修复（claimRef: null）会把 PV 变成谁都能绑定的 Available 卷，另一个命名空间里处于 Pending 的 PVC 可能先把它抢走（它的 claimRef 现在指向别人的 PVC，或你的 PVC 绑到了别人的 PV）。这不是你 YAML 的语法问题：请联系教员/同学释放该 PV，或改用第二种方法（只删除 uid 和 resourceVersion，保留 name 和 namespace）。',
    en: "Shared-cluster hazard: the first fix in Part 4, 6.4 (claimRef: null) turns the PV into an Available volume any claim can take, and a Pending claim in another namespace may get it first (its claimRef now names someone else's claim, or your claim took someone else's PV). Ask the instructor or the other student to free the PV, or use the second method (remove only uid and resourceVersion, keeping name and namespace).",
  },
  'env-provisioner-not-running': {
    zh: '这是课程环境的问题，不是你的错：PVC 使用的 StorageClass 的 Provisioner 没有为它创建卷（没有 Provisioning 事件，PVC 一直 Pending），Provisioner 多半没有运行。请联系教员检查 nfs-subdir-external-provisioner（第五部分 动态 PV 创建）。',
    en: "This is the course environment's fault, not yours: the StorageClass's provisioner did not create a volume for the claim (no Provisioning events; the claim stays Pending), most likely because it is not running. Ask the instructor to check nfs-subdir-external-provisioner (Part 5, dynamic PVs).",
  },
  'env-storageclass-provisioner': {
    zh: '这是课程环境的问题，不是你的错：集群里的 StorageClass 使用的 Provisioner 与实验要求的不一致（或 Provisioner 报告失败）。请联系教员检查 StorageClass 与 Provisioner 的安装（第五部分 动态 PV 创建）。',
    en: "This is the course environment's fault, not yours: the cluster's StorageClass uses a different provisioner from the one the lab expects (or the provisioner reported a failure). Ask the instructor to check the StorageClass and provisioner installation (Part 5, dynamic PVs).",
  },
  'env-pod-not-ready': {
    zh: '这是课程环境的问题，不是你的错：Pod 因清单之外的原因无法就绪（正确的镜像拉取失败、节点资源不足或节点压力）。请联系教员检查节点与镜像仓库，稍后重新评分（第五部分 部署与验证步骤）。',
    en: "This is the course environment's fault, not yours: the pod cannot become Ready for reasons outside your manifests (a correct image that cannot be pulled, node resources or node pressure). Ask the instructor to check the node and the registry, then grade again (Part 5, deploy and verify).",
  },
} satisfies Record<string, Localized>;

/** Every hint key the grader can emit. */
export type HintKey = keyof typeof catalog;

/** The catalog of hints: key -> zh-CN and en text naming the cause and the chapter section. */
export const hints: Readonly<Record<HintKey, Localized>> = catalog;

/** True when `key` is a hint in the catalog. */
export function isHintKey(key: string): key is HintKey {
  return Object.prototype.hasOwnProperty.call(catalog, key);
}

/** The hint for `key`, with its text in both languages. */
export function hint(key: HintKey): Hint {
  return { key, ...catalog[key] };
}
