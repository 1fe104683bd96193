package main

import (
	"runtime"

	"github.com/dialtone/dialtone/cmd/dialtone/internal/views"
)

// version is the release of this build.
const version = "v0.1.0"

func cmdVersion(c *cli, args []string) int {
	fs := newFlagSet(c, "version", "version")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	views.Version(c.streams(), version, runtime.GOOS, runtime.GOARCH)
	return exitOK
}
