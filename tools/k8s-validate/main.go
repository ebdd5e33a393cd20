// Command k8s-validate checks rendered Kubernetes manifests against the typed API of one
// Kubernetes version: every document must decode strictly (no unknown field, no wrong type,
// no duplicate key) into the Go type of its kind, and pass a few rules the API server enforces.
//
//	helm template ... | k8s-validate          # standard input
//	k8s-validate rendered/*.yaml              # files
//
// Exit status 0 when everything is valid, 1 when something is not, 2 when input cannot be read.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var problems []Problem
	total := 0
	check := func(r io.Reader, source string) bool {
		found, checked, err := Validate(r, source)
		total += checked
		problems = append(problems, found...)
		if err != nil {
			fmt.Fprintln(stderr, "k8s-validate:", err)
			return false
		}
		return true
	}
	if len(args) == 0 {
		if !check(stdin, "-") {
			return 2
		}
	}
	for _, path := range args {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(stderr, "k8s-validate:", err)
			return 2
		}
		ok := check(f, path)
		f.Close()
		if !ok {
			return 2
		}
	}
	for _, p := range problems {
		fmt.Fprintln(stderr, "k8s-validate:", p)
	}
	if total == 0 {
		fmt.Fprintln(stderr, "k8s-validate: no Kubernetes object in the input")
		return 1
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "k8s-validate: %d problem(s) in %d object(s) checked against Kubernetes %s\n", len(problems), total, KubernetesVersion)
		return 1
	}
	fmt.Fprintf(stdout, "k8s-validate: %d object(s) valid against Kubernetes %s\n", total, KubernetesVersion)
	return 0
}
