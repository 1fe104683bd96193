// Package ems is the one place Exchange Management Shell syntax lives: an operation of
// the providers vocabulary to the command lines that carry it out (ops.go), the model of
// a command line (line.go: a cmdlet, its parameters in order, their values) and its
// rendering with every value quoted by providers.PSQuote, and Microsoft's cmdlet
// reference as data (reference.go, reference/exchange-cmdlets.json) with the checks that
// every line fits it for the Exchange version concerned (check.go, extract.go).
//
// The planner writes the lines of its steps with it, the runbook renderer writes them,
// and the Exchange provider runs them, adding only its guards (reads before and after),
// its framing, -DomainController and its JSON output: the lines a reviewer approves are
// the lines that run. ems is pure: no I/O, no process, no state.
package ems
