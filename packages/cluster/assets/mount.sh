#!/bin/sh
# The kubelet's mounter (--experimental-mounter-path). The kubelet runs
#   <this> mount [-t type] [-o options] source target
# An NFS source server:/path becomes a bind mount of <cluster dir>/nfs/server/path: this machine has
# no NFS client and the labs' NFS server is never reachable from here (a blackhole route covers it).
# Data there survives pod deletes exactly as on an NFS export. Anything else goes to the real mount.
[ "$1" = mount ] && shift
type="" prev="" src="" dst=""
for a in "$@"; do
  [ "$prev" = "-t" ] && type="$a"
  src="$dst" dst="$a" prev="$a"
done
case "$type" in
  nfs|nfs4)
    root="$(cd "$(dirname "$0")/.." && pwd)/nfs"
    server="${src%%:*}" path="${src#*:}"
    mkdir -p "$root/$server$path" && exec /bin/mount --bind "$root/$server$path" "$dst"
    ;;
  *) exec /bin/mount "$@" ;;
esac
