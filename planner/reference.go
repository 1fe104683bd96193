package planner

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/ems"
)

// ReferenceDiagnostics checks the configured values dialtone writes into Exchange
// command lines against Microsoft's cmdlet reference (providers/ems) for the version of
// the server the command runs for, so that "dialtone validate" refuses them before any
// plan: merge.conflict_resolution must be a -ConflictResolutionOption value
// New-MailboxRestoreRequest knows there (Exchange 2013 knows only KeepSourceItem,
// KeepLatestItem and KeepAll). A server of unknown build is not checked.
func ReferenceDiagnostics(cfg *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := make([]string, 0, len(cfg.Recoveries))
	for name := range cfg.Recoveries {
		names = append(names, name)
	}
	sort.Strings(names)
	param := ems.Ref().Cmdlet("New-MailboxRestoreRequest").Param("ConflictResolutionOption")
	for _, name := range names {
		rec := cfg.Recoveries[name]
		if rec == nil || rec.Merge == nil {
			continue
		}
		db := cfg.Databases[rec.Database.Name]
		if db == nil {
			continue
		}
		srv := cfg.Servers[db.Server.Name]
		if srv == nil {
			continue
		}
		v, ok := ems.VersionOf(srv.Version)
		if !ok {
			continue
		}
		valid := param.Values(v)
		if valid == nil || containsFold(valid, rec.Merge.ConflictResolution) {
			continue
		}
		rng := rec.Merge.ConflictRange
		if rng.Filename == "" {
			rng = rec.Merge.DeclRange
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflict resolution not available on Exchange " + string(v),
			Detail: "recovery." + name + " merges with conflict_resolution \"" + rec.Merge.ConflictResolution + "\", but New-MailboxRestoreRequest on Exchange " +
				string(v) + " (server " + srv.Name + ", build " + srv.Version + ", which holds " + db.Name + ") accepts only " +
				strings.Join(valid, ", ") + " (Microsoft's cmdlet reference). Use one of those.",
			Subject: rng.Ptr(),
		})
	}
	return diags
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
