// Command compose-config loads a Compose file exactly as Docker Compose does (compose-go, the
// library Compose itself uses: Compose Specification schema, interpolation, YAML merge keys,
// profiles, consistency checks) and prints the resolved project as JSON. No Docker engine needed.
//
//	compose-config [-profile NAME]... [-env-file FILE]... [-env KEY=VALUE]... docker-compose.yml
//
// Interpolation sees only what is passed with -env-file and -env (never this process's
// environment or a developer's .env), so the output is the same on every machine.
// Exit status 0 and JSON on stdout when the file is valid; 1 and the reason on stderr otherwise.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("compose-config", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var profiles, envFiles, env listFlag
	flags.Var(&profiles, "profile", "enable a profile (repeatable)")
	flags.Var(&envFiles, "env-file", "read interpolation variables from this file (repeatable)")
	flags.Var(&env, "env", "set an interpolation variable KEY=VALUE (repeatable)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: compose-config [-profile NAME]... [-env-file FILE]... [-env KEY=VALUE]... COMPOSE_FILE")
		return 2
	}
	file, err := filepath.Abs(flags.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "compose-config:", err)
		return 2
	}
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithDiscardEnvFile,
		cli.WithEnv(env),
		cli.WithProfiles(profiles),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
	}
	if len(envFiles) > 0 {
		opts = append(opts, cli.WithEnvFiles(envFiles...), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions([]string{file}, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "compose-config:", err)
		return 1
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(stderr, "compose-config:", err)
		return 1
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fmt.Fprintln(stderr, "compose-config:", err)
		return 1
	}
	fmt.Fprintln(stdout, string(out))
	return 0
}
