// Command dialtone plans and applies Exchange dial tone recoveries described in HCL.
//
// Every command is one file of this package; run.go parses the global flags and
// dispatches. Nothing here keeps package-level state: each invocation of run gets its
// own streams, working directory and logger, so tests can run it in-process.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
