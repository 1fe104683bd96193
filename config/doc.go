// Package config is the static representation of a dialtone working directory: every
// *.hcl file in it, decoded into typed blocks (servers, databases, recoveries, drills,
// the backend and the provider) and checked on its own terms.
//
// Load parses and validates; every problem it finds is an hcl.Diagnostic with the
// file, line and column of the exact attribute or label at fault. References such as
// server.EX01 are resolved to Addr values at decode time, without evaluation.
//
// What config is not: it evaluates no expressions (only literals are accepted), calls
// no provider and reads no state. Whether the organization really has a server EX01,
// or how far a recovery has got, is for the planner (package planner) to find out
// from the state (package state) and a provider (package providers). config imports
// none of them: it is a leaf.
package config
