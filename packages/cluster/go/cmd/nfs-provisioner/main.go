// Command nfs-provisioner is the real cluster's dynamic provisioner for the `nfs-client`
// StorageClass of lab C: provisioner name k8s-sigs.io/nfs-subdir-external-provisioner, built on
// sigs.k8s.io/sig-storage-lib-external-provisioner like the upstream project
// (kubernetes-sigs/nfs-subdir-external-provisioner, which the Go module proxy does not serve) and
// behaving like it:
//
//   - Provision: a directory ${namespace}-${pvcName}-${pvName} (or the class's pathPattern, with
//     ${.PVC.name}, ${.PVC.namespace}, ${.PVC.labels.X}, ${.PVC.annotations.X}) under --root, mode
//     0777 (or the claim's nfs.io/createMode, owner nfs.io/createUID/GID); a PV with
//     nfs: {server: --server, path: --path/<dir>}, the claim's access modes and requested storage,
//     the class's reclaim policy and mount options. The library adds the
//     pv.kubernetes.io/provisioned-by annotation.
//   - Delete: class parameter onDelete "delete" removes the directory, "retain" keeps it;
//     otherwise archiveOnDelete "false" removes it, and anything else (including no parameter at
//     all, as upstream) renames it to archived-<dir>.
//
// The kernel here has no NFS client, so --root is the local directory that stands in for the
// export (the cluster's mount.nfs helper maps server:/path to it). Runs as a host process with a
// kubeconfig; no leader election.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v13/controller"
)

const provisionerName = "k8s-sigs.io/nfs-subdir-external-provisioner"

type nfsProvisioner struct {
	client kubernetes.Interface
	root   string // local directory standing in for the export
	server string // NFS server written into PVs
	path   string // export path written into PVs
}

var _ controller.Provisioner = &nfsProvisioner{}

var pathPatternRE = regexp.MustCompile(`\${\.PVC\.((labels|annotations)\.(.*?)|.*?)}`)

// expandPathPattern substitutes ${.PVC.name|namespace|labels.X|annotations.X} in a pathPattern.
func expandPathPattern(pattern string, pvc *v1.PersistentVolumeClaim) string {
	out := pattern
	for _, m := range pathPatternRE.FindAllStringSubmatch(pattern, -1) {
		var v string
		switch m[2] {
		case "labels":
			v = pvc.Labels[m[3]]
		case "annotations":
			v = pvc.Annotations[m[3]]
		default:
			switch m[1] {
			case "name":
				v = pvc.Name
			case "namespace":
				v = pvc.Namespace
			}
		}
		out = strings.ReplaceAll(out, m[0], v)
	}
	return out
}

func (p *nfsProvisioner) Provision(ctx context.Context, opts controller.ProvisionOptions) (*v1.PersistentVolume, controller.ProvisioningState, error) {
	pvc := opts.PVC
	if pvc.Spec.Selector != nil {
		return nil, controller.ProvisioningFinished, fmt.Errorf("claim Selector is not supported")
	}
	dir := strings.Join([]string{pvc.Namespace, pvc.Name, opts.PVName}, "-")
	if pattern, ok := opts.StorageClass.Parameters["pathPattern"]; ok {
		if custom := expandPathPattern(pattern, pvc); custom != "" {
			dir = custom
		}
	}
	local := filepath.Join(p.root, dir)

	mode := os.FileMode(0o777)
	if s, ok := pvc.Annotations["nfs.io/createMode"]; ok {
		if m, err := strconv.ParseUint(s, 8, 32); err == nil {
			mode = os.FileMode(m)
		} else {
			klog.Warningf("nfs.io/createMode %s not parsable, skipped", s)
		}
	}
	uid, _ := strconv.Atoi(pvc.Annotations["nfs.io/createUID"])
	gid, _ := strconv.Atoi(pvc.Annotations["nfs.io/createGID"])

	klog.V(2).Infof("creating %s (mode %#o, owner %d:%d) for %s/%s", local, mode, uid, gid, pvc.Namespace, pvc.Name)
	if err := os.MkdirAll(local, mode); err != nil {
		return nil, controller.ProvisioningFinished, errors.New("unable to create directory to provision new pv: " + err.Error())
	}
	_ = os.Chmod(local, mode) // MkdirAll is subject to the umask
	_ = os.Chown(local, uid, gid)

	reclaim := v1.PersistentVolumeReclaimDelete
	if opts.StorageClass.ReclaimPolicy != nil {
		reclaim = *opts.StorageClass.ReclaimPolicy
	}
	pv := &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: opts.PVName},
		Spec: v1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   pvc.Spec.AccessModes,
			MountOptions:                  opts.StorageClass.MountOptions,
			Capacity: v1.ResourceList{
				v1.ResourceStorage: pvc.Spec.Resources.Requests[v1.ResourceStorage],
			},
			PersistentVolumeSource: v1.PersistentVolumeSource{
				NFS: &v1.NFSVolumeSource{Server: p.server, Path: filepath.Join(p.path, dir)},
			},
		},
	}
	return pv, controller.ProvisioningFinished, nil
}

func (p *nfsProvisioner) Delete(ctx context.Context, pv *v1.PersistentVolume) error {
	if pv.Spec.NFS == nil {
		return &controller.IgnoredError{Reason: "not an NFS volume"}
	}
	base := filepath.Base(pv.Spec.NFS.Path)
	local := filepath.Join(p.root, base)
	if _, err := os.Stat(local); os.IsNotExist(err) {
		klog.Warningf("path %s does not exist, deletion skipped", local)
		return nil
	}
	class, err := p.classOf(ctx, pv)
	if err != nil {
		return err
	}
	switch class.Parameters["onDelete"] {
	case "delete":
		return os.RemoveAll(local)
	case "retain":
		return nil
	}
	if s, ok := class.Parameters["archiveOnDelete"]; ok {
		archive, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		if !archive {
			return os.RemoveAll(local)
		}
	}
	archived := filepath.Join(p.root, "archived-"+base)
	klog.V(2).Infof("archiving %s to %s", local, archived)
	return os.Rename(local, archived)
}

// classOf reads the PV's StorageClass (the beta annotation first, as the core helper does).
func (p *nfsProvisioner) classOf(ctx context.Context, pv *v1.PersistentVolume) (*storagev1.StorageClass, error) {
	name := pv.Spec.StorageClassName
	if a, ok := pv.Annotations[v1.BetaStorageClassAnnotation]; ok {
		name = a
	}
	if name == "" {
		return nil, fmt.Errorf("volume has no storage class")
	}
	return p.client.StorageV1().StorageClasses().Get(ctx, name, metav1.GetOptions{})
}

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster")
	root := flag.String("root", "", "local directory that stands in for the NFS export (required)")
	server := flag.String("server", "192.168.110.168", "NFS server written into provisioned PVs")
	path := flag.String("path", "/nfs", "NFS export path written into provisioned PVs")
	name := flag.String("provisioner", provisionerName, "provisioner name (StorageClass.provisioner)")
	flag.Parse()
	if *root == "" || *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "usage: nfs-provisioner --kubeconfig FILE --root DIR [--server ADDR] [--path /nfs]")
		os.Exit(2)
	}
	if err := os.MkdirAll(*root, 0o755); err != nil {
		klog.Fatalf("--root: %v", err)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatalf("kubeconfig: %v", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		klog.Fatalf("client: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	p := &nfsProvisioner{client: client, root: *root, server: *server, path: *path}
	pc := controller.NewProvisionController(ctx, client, *name, p, controller.LeaderElection(false))
	klog.Infof("nfs-provisioner %s: root %s, PVs as nfs %s:%s", *name, *root, *server, *path)
	pc.Run(ctx) // returns when ctx is cancelled
}
