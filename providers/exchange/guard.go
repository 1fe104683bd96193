package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// The guards of file operations (issue 19): servers must be Exchange servers of the
// organization, and nothing that is or holds another database's files is deleted or
// moved (providers.GuardPath). Deletes are limited to what dialtone recorded writing
// (providers.PlanCleanup).

// knownServers refuses an operation naming a server that Get-ExchangeServer does not
// list: file and eseutil commands run there through Invoke-Command.
func (p *Provider) knownServers(ctx context.Context, servers ...string) error {
	recs, err := p.query(ctx, "Get-ExchangeServer", p.ex("Get-ExchangeServer"), selectProps(nil, []string{"Name"}))
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, r := range recs {
		name, err := r.str("Name", true)
		if err != nil {
			return err
		}
		known[strings.ToLower(name)] = true
	}
	for _, s := range servers {
		if s != "" && !known[strings.ToLower(s)] {
			return fmt.Errorf("refusing to run file commands on %s: Get-ExchangeServer does not list it (only the organization's Exchange servers are reached)", s)
		}
	}
	return nil
}

// fileSets reads every database's paths (Get-MailboxDatabase), for providers.GuardPath.
func (p *Provider) fileSets(ctx context.Context) ([]providers.FileSet, error) {
	recs, err := p.query(ctx, "Get-MailboxDatabase", p.ex("Get-MailboxDatabase"), selectProps(nil, []string{"Name", "Server", "EdbFilePath", "LogFolderPath"}))
	if err != nil {
		return nil, err
	}
	out := make([]providers.FileSet, 0, len(recs))
	for _, r := range recs {
		var fs providers.FileSet
		for _, f := range []struct {
			name string
			dst  *string
		}{{"Name", &fs.Database}, {"Server", &fs.Server}, {"EdbFilePath", &fs.EdbFilePath}, {"LogFolderPath", &fs.LogFolderPath}} {
			if *f.dst, err = r.str(f.name, false); err != nil {
				return nil, err
			}
		}
		out = append(out, fs)
	}
	return out, nil
}

// fileOpGuards are the checks before an operation on the files of a database that
// must be dismounted (keep, move, delete): the server it acts on, which Get-ExchangeServer
// must list; op.Database not mounted; and every database's files, which the operation's
// own guard (providers.GuardKeep, GuardPath, PlanCleanup) keeps it away from.
func (p *Provider) fileOpGuards(ctx context.Context, op providers.Operation) (string, []providers.FileSet, error) {
	server, err := p.opServer(ctx, op)
	if err != nil {
		return "", nil, err
	}
	if err := p.knownServers(ctx, server); err != nil {
		return "", nil, err
	}
	if err := p.guardNotMounted(ctx, op.Database); err != nil {
		return "", nil, err
	}
	dbs, err := p.fileSets(ctx)
	if err != nil {
		return "", nil, err
	}
	return server, dbs, nil
}

// folderExists is Test-Path -PathType Container.
func (p *Provider) folderExists(ctx context.Context, server, path string) (bool, error) {
	return p.testPath(ctx, server, path, "folder", "Container")
}

// missingFolders returns the folders from the drive down to each of dirs that do not
// exist on server yet, as written records: the operation about to run creates them.
func (p *Provider) missingFolders(ctx context.Context, server string, dirs ...string) ([]state.Written, error) {
	var out []state.Written
	seen := map[string]bool{}
	for _, d := range dirs {
		if len(d) < 3 || d[1] != ':' {
			continue
		}
		cur := d[:2]
		for _, c := range strings.Split(strings.Trim(d[2:], `\`), `\`) {
			if c == "" {
				continue
			}
			cur += `\` + c
			if seen[strings.ToLower(cur)] {
				continue
			}
			seen[strings.ToLower(cur)] = true
			ok, err := p.folderExists(ctx, server, cur)
			if err != nil {
				return nil, err
			}
			if !ok {
				out = append(out, state.Written{Server: server, Path: cur, Kind: state.WrittenFolder})
			}
		}
	}
	return out, nil
}

// deleteFiles removes what dialtone wrote of a removed database's files: exactly the
// records op.Recorded holds for them, files one by one, folders only once empty (no
// -Recurse anywhere). Everything else stays, and Detail says what and why.
func (p *Provider) deleteFiles(ctx context.Context, op providers.Operation) (providers.Result, error) {
	server, dbs, err := p.fileOpGuards(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	plan, kept, err := providers.PlanCleanup(op, server, dbs)
	if err != nil {
		return providers.Result{}, err
	}
	var deleted []state.Written
	var paths []string
	for _, f := range plan.Files {
		paths = append(paths, f.Path)
	}
	present, err := p.hashes(ctx, server, paths)
	if err != nil {
		return providers.Result{}, err
	}
	var remove []string
	for _, f := range plan.Files {
		if _, ok := present[strings.ToLower(f.Path)]; ok {
			remove = append(remove, f.Path)
		}
		deleted = append(deleted, f)
	}
	for _, st := range plan.Streams {
		names, err := p.listFolder(ctx, server, st.Path)
		if err != nil {
			return providers.Result{}, err
		}
		for _, n := range names {
			if providers.IsStreamFile(n, st.Prefix) {
				remove = append(remove, winJoin(st.Path, n))
			}
		}
		deleted = append(deleted, st)
	}
	// A file recorded on its own may also belong to a recorded log stream (a log a
	// restore or copy wrote): Remove-Item names each path once, or its second mention fails.
	remove = uniqueFold(remove)
	if err := p.removeFiles(ctx, server, remove); err != nil {
		return providers.Result{}, err
	}
	folders := 0
	for _, d := range plan.Folders {
		ok, err := p.folderExists(ctx, server, d.Path)
		if err != nil {
			return providers.Result{}, err
		}
		if !ok {
			deleted = append(deleted, d)
			continue
		}
		// Without -Recurse, Remove-Item refuses a folder that holds anything.
		if _, err := p.remote(ctx, server, "Remove-Item", newCmd("Remove-Item").str("-LiteralPath", "folder", d.Path).raw("-Confirm:$false")); err != nil {
			kept = append(kept, fmt.Sprintf("%s (not empty: it holds what dialtone did not write)", d.Path))
			continue
		}
		folders++
		deleted = append(deleted, d)
	}
	res := providers.Result{Count: int64(len(remove)), Deleted: deleted,
		Detail: fmt.Sprintf("deleted %d files and %d folders that dialtone wrote", len(remove), folders)}
	if len(remove) == 0 && folders == 0 {
		res.AlreadyDone, res.Detail = true, "nothing recorded as written by dialtone is left"
	}
	if len(kept) > 0 {
		res.Detail += "; kept: " + strings.Join(kept, "; ")
	}
	return res, nil
}

// uniqueFold drops later repeats of a path, compared as Windows does (case-insensitive).
func uniqueFold(paths []string) []string {
	seen := make(map[string]bool, len(paths))
	out := paths[:0]
	for _, p := range paths {
		if k := strings.ToLower(p); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
