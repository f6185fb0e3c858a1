#!/usr/bin/env bash
# Lab B's four non-disruptive checks the way existing lab validators (Killercoda verify scripts,
# CK-X) do it: one kubectl call per fact, jq to pick fields, exit status per check.
#   bench/kubectl-grader.sh <namespace>   (KUBECONFIG points at the cluster)
# Prints one PASS/FAIL line per check; exits 0 when all pass.
set -u
ns="$1"
pv="pv-${ns}-redis-exist-pvc"
pvc="pvc-${ns}-redis-exist-pvc"
sts="statefulset-redis-exist-pvc"
k() { kubectl --request-timeout=10s "$@"; }
fail=0
check() { if [ "$2" = "true" ]; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi; }

# 1. PV pre-bound by claimRef, Retain, 64Mi, RWX, NFS
ok=$(k get pv "$pv" -o json 2>/dev/null | jq -r --arg ns "$ns" --arg pvc "$pvc" '
  .spec.claimRef.name == $pvc and .spec.claimRef.namespace == $ns
  and .spec.persistentVolumeReclaimPolicy == "Retain" and .spec.capacity.storage == "64Mi"
  and (.spec.accessModes | index("ReadWriteMany")) != null and .spec.nfs != null')
check pv-claimref "${ok:-false}"

# 2. PVC Bound to that PV, uids agree on both sides
pvc_json=$(k -n "$ns" get pvc "$pvc" -o json 2>/dev/null)
pvc_uid=$(echo "$pvc_json" | jq -r '.metadata.uid // empty')
ok=$(echo "$pvc_json" | jq -r --arg pv "$pv" '.status.phase == "Bound" and .spec.volumeName == $pv')
pv_claim_uid=$(k get pv "$pv" -o jsonpath='{.spec.claimRef.uid}' 2>/dev/null)
[ "${ok:-false}" = "true" ] && [ -n "$pvc_uid" ] && [ "$pvc_uid" = "$pv_claim_uid" ] && ok=true || ok=false
check pvc-bound "$ok"

# 3. StatefulSet ready, observed, mounts the claim at /data, pod Running+Ready
sts_json=$(k -n "$ns" get statefulset "$sts" -o json 2>/dev/null)
ok=$(echo "$sts_json" | jq -r --arg pvc "$pvc" '
  (.status.readyReplicas // 0) == .spec.replicas and .spec.replicas >= 1
  and (.status.observedGeneration // 0) >= .metadata.generation
  and ([.spec.template.spec.volumes[]? | select(.persistentVolumeClaim.claimName == $pvc) | .name] as $v
       | [.spec.template.spec.containers[].volumeMounts[]? | select(.mountPath == "/data" and (.name as $n | $v | index($n)))] | length > 0)')
pod_ok=$(k -n "$ns" get pod "${sts}-0" -o json 2>/dev/null | jq -r '.status.phase == "Running" and ([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length > 0)')
[ "${ok:-false}" = "true" ] && [ "${pod_ok:-false}" = "true" ] && ok=true || ok=false
check statefulset-ready "$ok"

# 4. Headless Service named as serviceName, selecting the pods; pod FQDN resolves inside the pod
svc_name=$(echo "$sts_json" | jq -r '.spec.serviceName // empty')
ok=$(k -n "$ns" get svc "$svc_name" -o json 2>/dev/null | jq -r '.spec.clusterIP == "None" and .spec.selector.app == "redis-exist-pvc"')
if [ "${ok:-false}" = "true" ]; then
  k -n "$ns" exec "${sts}-0" -c redis -- getent hosts "${sts}-0.${svc_name}.${ns}.svc.cluster.local" >/dev/null 2>&1 || ok=false
fi
check headless-dns "${ok:-false}"

exit $fail
