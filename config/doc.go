// Package config is the static representation of a dialtone working directory: every
// *.hcl file in it, decoded into typed blocks (servers, databases, recoveries, drills,
// the backend and the provider) and checked on its own terms.
//
// Load parses and validates; every problem it finds is an hcl.Diagnostic with the
// file, line and column of the exact attribute or label at fault, and a detail that
// says what would be right. References such as server.EX01 are resolved to Addr
// values at decode time, without evaluation; every other value is an expression
// evaluated with the variables, locals and functions described below.
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
//     authentication, domain_controller, no_autodiscover_attribute, max_sessions
//     (1..MaxSessionsCeiling; default 12), credential_env | credential_file }:
//     credentials are never literals in HCL, and Basic authentication never goes over
//     http. No diagnostic repeats a credential.
//
// Variables, locals and expressions:
//
//   - variable "NAME" { type, default, description, sensitive }: type is string, number,
//     bool, any, list(T), set(T) or map(T). Values come, lowest precedence first, from
//     the default, DIALTONE_VAR_NAME environment variables, dialtone.dtvars,
//     *.auto.dtvars (in name order), then -var-file and -var in the order given
//     (LoadOptions). A .dtvars file holds NAME = VALUE lines like Terraform's .tfvars;
//     an undeclared name there is a warning, on the command line an error. A variable
//     without a default and without a value is an error at its block.
//   - locals { NAME = EXPR }: may use var.X and other locals, in any file; a cycle is
//     reported once, naming the loop.
//   - Attribute values are expressions evaluated with var, local, each (in for_each
//     blocks) and the functions of FunctionNames (go-cty's stdlib, Terraform's names).
//     References stay static: server = server.EX01; the name may be computed only in
//     the index form database["DB${each.key}"], evaluated at load time.
//   - for_each on database and recovery blocks, over a map or a set of strings: one
//     block per key, in key order. HCL labels cannot hold templates, so an instance is
//     named by its name argument (name = "DB${each.key}", evaluated per instance) or,
//     without one, by the label followed by the key: database "DB" over
//     toset(["01", "02"]) declares DB01 and DB02, referenced as database.DB01. Two keys
//     giving one name are an error at the block naming both keys.
//
// The sensitive rule: a value from a variable with sensitive = true (or anything
// computed from one: marks follow it through templates and functions) is refused
// with "Sensitive value not allowed here" in every argument whose value can reach a
// plan, a plan file, the state or a log: names, paths, backup sets, priorities,
// for_each, everything. Only conn_str of backend "pg" (sensitiveAllowed) takes one; it
// is used to connect and never shown (Backend.ConnStrSensitive). So no sensitive value
// can be in a plan. Config.SensitiveValues holds their text and Config.Redact replaces
// it with (sensitive) in any other text; diagnostics never quote a sensitive value.
//
// Config.Sources (and Digest, FileDigests) cover the *.hcl files and every .dtvars file
// read, so a saved plan is stale when any of them changes; -var values are not files
// and are not recorded.
//
// What config is not: it calls no provider and reads no state. Whether the
// organization really has a server EX01, or how far a recovery has got, is for the
// planner (package planner) to find out from the state (package state) and a provider
// (package providers). config imports none of them: it is a leaf.
package config
