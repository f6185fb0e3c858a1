// Command cri-clean stops and then removes every pod sandbox a CRI runtime knows (containerd
// here), so the runtime tears down each sandbox's containers and CNI network (network namespace,
// veth, host-local IP). The cluster's `down` runs it after stopping the kubelet and before
// stopping containerd. It prints one line per sandbox and exits non-zero if any could not be
// removed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	endpoint := flag.String("endpoint", "unix:///run/containerd/containerd.sock", "CRI endpoint (unix:///path/to/socket)")
	timeout := flag.Duration("timeout", 2*time.Minute, "overall deadline")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.NewClient(*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: %s: %v\n", *endpoint, err)
		os.Exit(1)
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)

	list, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cri-clean: ListPodSandbox: %v\n", err)
		os.Exit(1)
	}
	failed := 0
	for _, s := range list.Items {
		name := s.Id
		if m := s.Metadata; m != nil {
			name = fmt.Sprintf("%s/%s (%.12s)", m.Namespace, m.Name, s.Id)
		}
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: stop %s: %v\n", name, err)
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			fmt.Fprintf(os.Stderr, "cri-clean: remove %s: %v\n", name, err)
			failed++
			continue
		}
		fmt.Printf("removed %s\n", name)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
