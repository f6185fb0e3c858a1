// Command pause is the cluster's pod sandbox ("infra") container: it sleeps until SIGINT or
// SIGTERM and then exits 0, reaping any child that is re-parented to it (it is PID 1 of the pod's
// shared PID namespace when one is used). It stands in for registry.k8s.io/pause, which cannot be
// pulled here. Built static: CGO_ENABLED=0.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-v" || os.Args[1] == "--version") {
		fmt.Println("pause (kubegrade) 3.10")
		return
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		switch s {
		case syscall.SIGCHLD:
			reap()
		default:
			reap()
			os.Exit(0)
		}
	}
}

// reap collects every exited child without blocking.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
