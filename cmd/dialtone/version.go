package main

import (
	"fmt"
	"runtime"
)

// version is the release of this build.
const version = "v0.1.0"

func cmdVersion(c *cli, args []string) int {
	fs := newFlagSet(c, "version", "version")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintf(c.stdout, "dialtone %s\non %s_%s\n", version, runtime.GOOS, runtime.GOARCH)
	return exitOK
}
