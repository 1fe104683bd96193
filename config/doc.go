// Package config is the static representation of a dialtone working directory: every
// *.hcl file in it, decoded into typed blocks (servers, databases, recoveries, drills,
// the backend and the provider) and checked on its own terms.
//
// Load parses and validates; every problem it finds is an hcl.Diagnostic with the
// file, line and column of the exact attribute or label at fault, and a detail that
// says what would be right. References such as server.EX01 are resolved to Addr
// values at decode time, without evaluation.
//
// What the blocks carry beyond names, paths and references:
//
//   - server: edition and version set the mounted-database limit (5 standard, 100
//     enterprise, 50 on Exchange 2013 before CU2); maximum_active_databases (1..100)
//     lowers it, and the check says which limit applied. schema_version ("0.NNN", the
//     databases' CurrentSchemaVersion) and capacity ("500GB", "1.5TB": binary units,
//     into CapacityBytes) are optional; unknown values are left to the planner.
//   - recovery: option decides where its databases go. same_server keeps all on the
//     failed database's server; alternate_server and alternate_server_stay put the
//     dial tone database on another server. The recovery database's .edb is named for
//     the failed database (same_server, alternate_server_stay: a restore keeps file
//     names) or for the dial tone database (alternate_server: it is made from the dial
//     tone files after the swap). Its server, when left out, stays the zero Addr and is
//     resolved per option by Config.RecoveryServer. The Exchange major version, and
//     schema_version where both are known, must match the failed database's server.
//     priority (0..1000, default 100) orders recoveries planned together, lower first;
//     swap = false (merge forward) is for alternate_server_stay only.
//   - restore: data loss is never a default. backup = "none" needs accept_data_loss =
//     true; replay_logs = false without it is a warning.
//   - drill: failure is database.X, or server.X with mode "server_down"; the other
//     DrillModes fail one database. recovery picks the recovery to rehearse
//     (Config.DrillRecoveries gives the default); bad_items feeds mode "bad_items".
//   - backend "local" { path, backups } or "pg" { conn_str, schema_name, backups }; an
//     empty conn_str means DIALTONE_PG_CONN_STR, and a password written in it gets a
//     warning. provider "lab" { path } or "exchange" { command, connection_uri,
//     authentication, domain_controller, credential_env | credential_file }:
//     credentials are never literals in HCL, and Basic authentication never goes over
//     http. No diagnostic repeats a credential.
//
// What config is not: it evaluates no expressions (only literals are accepted), calls
// no provider and reads no state. Whether the organization really has a server EX01,
// or how far a recovery has got, is for the planner (package planner) to find out
// from the state (package state) and a provider (package providers). config imports
// none of them: it is a leaf.
package config
