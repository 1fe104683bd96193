package main

import (
	"net"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
	"github.com/dialtone/dialtone/providers/lab/labsmtp"
)

// cmdLabServe runs the lab's SMTP listener (providers/lab/labsmtp). It binds to loopback
// unless -allow-remote, prints the address it listens on, and stops on SIGINT or SIGTERM.
func cmdLabServe(c *cli, cfg *config.Config, args []string) int {
	fs := newFlagSet(c, "lab serve", "lab serve [-smtp=127.0.0.1:2525] [-allow-remote] [-addr-file=FILE]")
	addr := fs.String("smtp", "127.0.0.1:2525", "address the SMTP listener binds to (port 0: any free port)")
	remote := fs.Bool("allow-remote", false, "allow a non-loopback address (the lab has no authentication)")
	addrFile := fs.String("addr-file", "", "write the address listened on to FILE once listening (for scripts)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return c.errorf("lab serve takes no arguments (got %q)", fs.Arg(0))
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return c.errorf("-smtp=%s: %v", *addr, err)
	}
	if !*remote && !labsmtp.IsLoopback(host) {
		return c.errorf("-smtp=%s is not a loopback address: the lab's SMTP listener has no authentication; add -allow-remote to bind to it anyway", *addr)
	}
	return withLab(c, cfg, func(l *lab.Lab) int {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return c.errorf("listening on %s: %v", *addr, err)
		}
		bound := ln.Addr().String()
		if *addrFile != "" {
			if err := writeFileAtomic(c.path(*addrFile), []byte(bound+"\n"), 0o644); err != nil {
				ln.Close()
				return c.errorf("writing -addr-file: %v", err)
			}
		}
		views.NewLabAdmin(c.streams()).Serving(bound)
		c.log.Info("lab smtp listening", "addr", bound)
		if err := labsmtp.Serve(c.ctx, ln, l, c.log); err != nil {
			return c.errorf("SMTP listener: %v", err)
		}
		if c.ctx.Err() != nil {
			views.NewLabAdmin(c.streams()).Stopped()
		}
		return exitOK
	})
}
