package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// validate runs the checks that need the whole configuration: references to declared
// blocks, and what a recovery asks of the servers it uses. Checks skip values that
// already failed on their own (an unparsable version, an unresolved reference), so
// one mistake gives one diagnostic. Diagnostics come in source order.
func validate(cfg *Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	servers := names(cfg.Servers)
	databases := names(cfg.Databases)

	resolveServer := func(ref Addr, rng hcl.Range) *Server {
		if ref.Name == "" {
			return nil
		}
		if s := cfg.Servers[ref.Name]; s != nil {
			return s
		}
		diags = append(diags, undeclared(ref, rng, servers))
		return nil
	}
	resolveDatabase := func(ref Addr, rng hcl.Range) *Database {
		if ref.Name == "" {
			return nil
		}
		if db := cfg.Databases[ref.Name]; db != nil {
			return db
		}
		d := undeclared(ref, rng, databases)
		if hint := recoveryDatabaseHint(cfg, ref.Name); hint != "" {
			d.Detail += " " + hint
		}
		diags = append(diags, d)
		return nil
	}

	for _, db := range inSourceOrder(cfg.Databases, func(db *Database) hcl.Range { return db.DeclRange }) {
		resolveServer(db.Server, db.ServerRange)
		for i, c := range db.Copies {
			resolveServer(c, db.CopyRanges[i])
		}
	}
	for _, r := range inSourceOrder(cfg.Recoveries, func(r *Recovery) hcl.Range { return r.DeclRange }) {
		failed := resolveDatabase(r.Database, r.DatabaseRange)
		diags = append(diags, checkFinalName(cfg, r)...)
		diags = append(diags, checkRecoveryEdb(r, failed)...)
		var failedServer *Server
		if failed != nil {
			failedServer = cfg.Servers[failed.Server.Name] // reported with the database if missing
		}
		var dtServer *Server
		if dt := r.DialTone; dt != nil {
			if s := resolveServer(dt.Server, dt.ServerRange); s != nil && failedServer != nil {
				d := checkPlacement(r, "dial tone database", dt.Name, s, dt.ServerRange, failed, failedServer, nil)
				diags = append(diags, d...)
				if !d.HasErrors() {
					dtServer = s // a misplaced dial tone database is no yardstick for the recovery database
				}
			}
		}
		if rdb := r.RecoveryDatabase; rdb != nil {
			if s := resolveServer(rdb.Server, rdb.ServerRange); s != nil && failedServer != nil {
				diags = append(diags, checkPlacement(r, "recovery database", rdb.Name, s, rdb.ServerRange, failed, failedServer, dtServer)...)
			}
		}
	}
	for _, dr := range inSourceOrder(cfg.Drills, func(dr *Drill) hcl.Range { return dr.DeclRange }) {
		diags = append(diags, checkDrill(cfg, dr, resolveServer, resolveDatabase)...)
	}
	diags = append(diags, checkMountedLimits(cfg)...)
	return diags
}

// checkDrill resolves a drill's failure and recovery and checks that the drill has
// something to rehearse.
func checkDrill(cfg *Config, dr *Drill, resolveServer func(Addr, hcl.Range) *Server, resolveDatabase func(Addr, hcl.Range) *Database) hcl.Diagnostics {
	var diags hcl.Diagnostics
	var rec *Recovery
	if dr.Recovery.Name != "" {
		if rec = cfg.Recoveries[dr.Recovery.Name]; rec == nil {
			diags = append(diags, undeclared(dr.Recovery, dr.RecoveryRange, names(cfg.Recoveries)))
		}
	}
	switch dr.Failure.Kind {
	case KindDatabase:
		db := resolveDatabase(dr.Failure, dr.FailureRange)
		switch {
		case db == nil:
		case rec != nil && rec.Database.Name != db.Name:
			diags = append(diags, errorAt(dr.RecoveryRange, "Drill rehearses another database's recovery",
				"Drill %s fails database %s, but recovery %s recovers %s. Name a recovery of %s, or leave recovery out to rehearse it by default.",
				dr.Name, db.Name, rec.Name, rec.Database.Name, db.Name))
		case rec == nil && dr.Recovery.Name == "" && cfg.RecoveryFor(db.Name) == nil:
			diags = append(diags, warningAt(dr.FailureRange, "Drill without a recovery",
				"Drill %s fails database %s, but no recovery block recovers it, so the drill has nothing to rehearse. Add a recovery with database = database.%s.",
				dr.Name, db.Name, db.Name))
		}
	case KindServer:
		s := resolveServer(dr.Failure, dr.FailureRange)
		if s == nil || dr.Mode != DrillModeServerDown && oneOf(dr.Mode, DrillModes) {
			break // a mode that fails a database was already reported against server.X
		}
		var onServer []string
		for _, db := range inSourceOrder(cfg.Databases, func(db *Database) hcl.Range { return db.DeclRange }) {
			if db.Server.Name == s.Name {
				onServer = append(onServer, db.Name)
			}
		}
		switch {
		case rec != nil:
			if db := cfg.Databases[rec.Database.Name]; db != nil && db.Server.Name != s.Name {
				diags = append(diags, errorAt(dr.RecoveryRange, "Drill rehearses another server's recovery",
					"Drill %s fails server %s, but recovery %s recovers %s, which is on %s. Name a recovery of a database on %s, or leave recovery out to rehearse every recovery of its databases.",
					dr.Name, s.Name, rec.Name, db.Name, db.Server.Name, s.Name))
			}
		case dr.Recovery.Name != "":
		case len(onServer) == 0:
			diags = append(diags, errorAt(dr.FailureRange, "Drill without a recovery",
				"Drill %s fails server %s, but no database is on %s, so the drill has nothing to rehearse. Declare its databases and a recovery for each, or fail another server.",
				dr.Name, s.Name, s.Name))
		case len(cfg.DrillRecoveries(dr)) == 0:
			diags = append(diags, errorAt(dr.FailureRange, "Drill without a recovery",
				"Drill %s fails server %s, but none of its databases (%s) has a recovery block, so the drill has nothing to rehearse. Add a recovery with database = database.%s (and one for each database to bring back).",
				dr.Name, s.Name, strings.Join(onServer, ", "), onServer[0]))
		}
	}
	return diags
}

// recoveryDatabaseHint explains a reference to a dial tone or recovery database where
// a database block is wanted, or returns "".
func recoveryDatabaseHint(cfg *Config, name string) string {
	for _, r := range inSourceOrder(cfg.Recoveries, func(r *Recovery) hcl.Range { return r.DeclRange }) {
		if r.DialTone != nil && r.DialTone.Name == name {
			return fmt.Sprintf("%s is the dial tone database of recovery %s; refer to the database block it stands in for.", name, r.Name)
		}
		if r.RecoveryDatabase != nil && r.RecoveryDatabase.Name == name {
			return fmt.Sprintf("%s is the recovery database of recovery %s; refer to the database block it restores.", name, r.Name)
		}
	}
	return ""
}

// checkPlacement checks a dial tone or recovery database placed on server s, for a
// recovery of database failed on failedServer: the server the option wants, then the
// Exchange version and the schema version (exchange-recovery.md 3.1). dtServer is the
// dial tone database's server when s places the recovery database (nil if unknown).
func checkPlacement(r *Recovery, what, name string, s *Server, rng hcl.Range, failed *Database, failedServer, dtServer *Server) hcl.Diagnostics {
	dialTone := what == "dial tone database"
	switch {
	case r.Option == OptionSameServer && s != failedServer:
		return hcl.Diagnostics{errorAt(rng, "Database not on the failed database's server",
			"Recovery %s uses option \"same_server\", which keeps every database of the recovery on %s, the server of %s; but the %s %s is on %s. Set server = server.%s, or use option = \"alternate_server\" (or \"alternate_server_stay\") to recover on %s.",
			r.Name, failedServer.Name, failed.Name, what, name, s.Name, failedServer.Name, s.Name)}
	case dialTone && (r.Option == OptionAlternateServer || r.Option == OptionAlternateServerStay) && s == failedServer:
		return hcl.Diagnostics{errorAt(rng, "Dial tone database on the failed database's server",
			"Recovery %s uses option %q, which puts the dial tone database on another server than %s, the server of %s; but the dial tone database %s is on %s. To recover on %s itself, use option = \"same_server\"; otherwise set server to the alternate server.",
			r.Name, r.Option, failedServer.Name, failed.Name, name, s.Name, failedServer.Name)}
	case !dialTone && r.Option == OptionAlternateServer && dtServer != nil && s != failedServer && s != dtServer:
		return hcl.Diagnostics{errorAt(rng, "Recovery database on an unrelated server",
			"Recovery %s uses option \"alternate_server\": its recovery database is made from copies of the dial tone database's files after the swap (exchange-recovery.md 2.3 step 9), on %s (the server of %s) or %s (the dial tone server); but the recovery database %s is on %s. Set server = server.%s or server = server.%s, or leave server out for %s.",
			r.Name, failedServer.Name, failed.Name, dtServer.Name, name, s.Name, failedServer.Name, dtServer.Name, failedServer.Name)}
	case !dialTone && r.Option == OptionAlternateServerStay && r.Swap && dtServer != nil && s != dtServer:
		return hcl.Diagnostics{errorAt(rng, "Recovery database not on the dial tone server",
			"Recovery %s uses option \"alternate_server_stay\", whose swap moves files between the recovery database's and the dial tone database's folders on %s, the dial tone server (exchange-recovery.md 2.4); but the recovery database %s is on %s. Set server = server.%s, or leave server out: it defaults to the dial tone server.",
			r.Name, dtServer.Name, name, s.Name, dtServer.Name)}
	}
	have, ok1 := ParseBuild(s.Version)
	want, ok2 := ParseBuild(failedServer.Version)
	if ok1 && ok2 && have.Schema() != want.Schema() {
		return hcl.Diagnostics{errorAt(rng, "Exchange version mismatch",
			"The %s %s of recovery %s is on %s, which runs %s (%s), but %s was on %s, which runs %s (%s). A database's schema follows its Exchange version, so a database cannot move between them. Place the %s on a server running Exchange %s.x.",
			what, name, r.Name, s.Name, have.Product(), s.Version, failed.Name, failedServer.Name, want.Product(), failedServer.Version, what, want.Schema())}
	}
	if s.SchemaVersion != "" && failedServer.SchemaVersion != "" && s.SchemaVersion != failedServer.SchemaVersion {
		return hcl.Diagnostics{errorAt(rng, "Database schema version mismatch",
			"The %s %s of recovery %s is on %s, whose databases have schema version %s, but %s was on %s, whose databases have schema version %s. Exchange mounts a database only where the schema versions match (exchange-recovery.md 3.1). Place the %s on a server with schema_version = %q, or correct the schema_version of %s or %s if it is wrong.",
			what, name, r.Name, s.Name, s.SchemaVersion, failed.Name, failedServer.Name, failedServer.SchemaVersion, what, failedServer.SchemaVersion, s.Name, failedServer.Name)}
	}
	return nil
}

// names returns the sorted keys of a map of blocks.
func names[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for name := range m {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// inSourceOrder returns the blocks of a map in declaration order, so diagnostics do
// not follow Go's map order.
func inSourceOrder[T any](m map[string]T, rng func(T) hcl.Range) []T {
	out := make([]T, 0, len(m))
	for _, name := range names(m) {
		out = append(out, m[name])
	}
	sort.SliceStable(out, func(i, j int) bool { return before(rng(out[i]), rng(out[j])) })
	return out
}

// checkFinalName refuses a final_name another database of the configuration uses: only
// the failed database's own name (whose object is removed first) or a free name can be
// taken at complete.
func checkFinalName(cfg *Config, r *Recovery) hcl.Diagnostics {
	if r.FinalName == "" || strings.EqualFold(r.FinalName, r.Database.Name) {
		return nil
	}
	owner := ""
	for _, name := range names(cfg.Databases) {
		if strings.EqualFold(name, r.FinalName) {
			owner = "database " + name
		}
	}
	for _, other := range names(cfg.Recoveries) {
		o := cfg.Recoveries[other]
		if o.DialTone != nil && strings.EqualFold(o.DialTone.Name, r.FinalName) && other != r.Name {
			owner = "the dial tone database of recovery " + other
		}
		if o.RecoveryDatabase != nil && strings.EqualFold(o.RecoveryDatabase.Name, r.FinalName) {
			owner = "the recovery database of recovery " + other
		}
	}
	if owner == "" {
		return nil
	}
	return hcl.Diagnostics{errorAt(r.FinalNameRange, "final_name already taken",
		"Recovery %s asks that users' database be named %q at complete, but %s has that name. Use the failed database's name, %q (its AD object is removed first; its files stay), or a name no other database uses.",
		r.Name, r.FinalName, owner, r.Database.Name)}
}
