package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program: parse the command line, start the node, run the
// console until quit, the end of stdin or ctx is done (SIGINT, SIGTERM),
// then shut down. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	n, err := startNode(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	interactive := isTerminal(stdin)
	out := printer{w: stdout, errW: stderr, json: cfg.JSON}
	if interactive && !cfg.JSON {
		n.writeBanner(stdout)
	}
	c := console{node: n, in: stdin, out: out, prompt: interactive && !cfg.JSON}
	c.run(ctx)
	if interactive && ctx.Err() != nil {
		fmt.Fprintln(stdout)
	}
	if err := n.stop(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
