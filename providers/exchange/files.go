package exchange

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// Files live on the Exchange servers; every command here runs there through
// Invoke-Command -ComputerName <server> (see onServer). Copies are verified with
// Get-FileHash before anything is deleted, and a destination holding other bytes is
// never overwritten: it may be the only copy of something.

// fileBatch is how many paths one request carries.
const fileBatch = 200

const stopOnError = "$ErrorActionPreference = 'Stop'"

// winDir and winBase split a Windows path.
func winDir(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[:i]
	}
	return ""
}

func winBase(p string) string { return p[strings.LastIndexAny(p, `\/`)+1:] }

func winJoin(dir, name string) string {
	if strings.HasSuffix(dir, `\`) {
		return dir + name
	}
	return dir + `\` + name
}

// remote runs statements on server and decodes the records it returns.
func (p *Provider) remote(ctx context.Context, server, what string, statements ...*cmdBuilder) ([]record, error) {
	lines := []string{stopOnError}
	for _, s := range statements {
		l, err := s.line()
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	body, err := p.onServer(server, strings.Join(lines, "; "))
	if err != nil {
		return nil, err
	}
	data, err := p.run(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("on %s: %w", server, err)
	}
	return decodeRecords(what, data)
}

// remotePipe runs one pipeline on server.
func (p *Provider) remotePipe(ctx context.Context, server, what string, cmds ...*cmdBuilder) ([]record, error) {
	pl, err := pipeline(cmds...)
	if err != nil {
		return nil, err
	}
	body, err := p.onServer(server, stopOnError, pl)
	if err != nil {
		return nil, err
	}
	data, err := p.run(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("on %s: %w", server, err)
	}
	return decodeRecords(what, data)
}

// listFolder returns the names of the files in folder (none when it does not exist).
func (p *Provider) listFolder(ctx context.Context, server, folder string) ([]string, error) {
	recs, err := p.remotePipe(ctx, server, "Get-ChildItem",
		newCmd("Get-ChildItem").str("-LiteralPath", "folder", folder).raw("-File -ErrorAction SilentlyContinue"),
		newCmd("Select-Object").raw("-Property Name"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(recs))
	for _, r := range recs {
		n, err := r.str("Name", true)
		if err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// hashes returns the SHA-256 of every path that exists, by lower-cased path.
func (p *Provider) hashes(ctx context.Context, server string, paths []string) (map[string]string, error) {
	out := map[string]string{}
	for i := 0; i < len(paths); i += fileBatch {
		chunk := paths[i:min(i+fileBatch, len(paths))]
		recs, err := p.remotePipe(ctx, server, "Get-FileHash",
			newCmd("Get-FileHash").strs("-LiteralPath", "file path", chunk).raw("-Algorithm SHA256 -ErrorAction SilentlyContinue"),
			newCmd("Select-Object").raw("-Property Path,Hash"))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			path, err := r.str("Path", true)
			if err != nil {
				return nil, err
			}
			h, err := r.str("Hash", true)
			if err != nil {
				return nil, err
			}
			out[strings.ToLower(path)] = strings.ToUpper(h)
		}
	}
	return out, nil
}

type filePair struct{ src, dst string }

// adminShare is how a path of server is reached from another server: its
// administrative share (D:\Logs on EX01 is \\EX01\D$\Logs), as the runbook's robocopy
// lines reach it.
func adminShare(server, path string) (string, error) {
	if len(path) < 3 || path[1] != ':' || path[2] != '\\' {
		return "", fmt.Errorf("%s is not an absolute path with a drive letter: it cannot be reached on %s's administrative share", path, server)
	}
	return `\\` + server + `\` + path[:1] + "$" + path[2:], nil
}

// copyVerified copies every pair whose destination does not hold the same bytes yet,
// then checks every destination against its source. It returns how many it copied.
// The sources are on srcServer, the destinations on dstServer; between two servers the
// copy runs on dstServer and reads the sources through srcServer's administrative
// share, while each side's hashes are taken on its own server.
func (p *Provider) copyVerified(ctx context.Context, srcServer, server string, pairs []filePair) (int, []state.Written, error) {
	n, created, err := p.copyVerifiedFolders(ctx, srcServer, server, pairs)
	if err != nil {
		return 0, nil, err
	}
	wrote := created
	for _, pr := range pairs {
		wrote = append(wrote, state.Written{Server: server, Path: pr.dst, Kind: state.WrittenFile})
	}
	return n, wrote, nil
}

// copyVerifiedFolders is copyVerified; it returns the folders it created.
func (p *Provider) copyVerifiedFolders(ctx context.Context, srcServer, server string, pairs []filePair) (int, []state.Written, error) {
	if len(pairs) == 0 {
		return 0, nil, nil
	}
	var srcs, dsts []string
	for _, pr := range pairs {
		srcs, dsts = append(srcs, pr.src), append(dsts, pr.dst)
	}
	srcHash, err := p.hashes(ctx, srcServer, srcs)
	if err != nil {
		return 0, nil, err
	}
	dstHash, err := p.hashes(ctx, server, dsts)
	if err != nil {
		return 0, nil, err
	}
	dirs := map[string]bool{}
	var todo []filePair
	for _, pr := range pairs {
		sh, ok := srcHash[strings.ToLower(pr.src)]
		if !ok {
			return 0, nil, fmt.Errorf("%s on %s vanished before it was copied", pr.src, srcServer)
		}
		if dh, ok := dstHash[strings.ToLower(pr.dst)]; ok {
			if dh == sh {
				continue
			}
			return 0, nil, fmt.Errorf("%s on %s already exists with other content; refusing to overwrite it", pr.dst, server)
		}
		todo = append(todo, pr)
		dirs[winDir(pr.dst)] = true
	}
	if len(todo) == 0 {
		return 0, nil, nil
	}
	created, err := p.missingFolders(ctx, server, sortedKeys(dirs)...)
	if err != nil {
		return 0, nil, err
	}
	var mk []*cmdBuilder
	for _, d := range sortedKeys(dirs) {
		mk = append(mk, newCmd("New-Item").raw("-ItemType Directory -Force").str("-Path", "folder", d).raw("| Out-Null"))
	}
	if _, err := p.remote(ctx, server, "New-Item", mk...); err != nil {
		return 0, nil, err
	}
	// Files keeping their name go to their folder in batches; renamed ones one by one.
	byDir := map[string][]string{}
	var renamed []filePair
	for i, pr := range todo {
		if !strings.EqualFold(srcServer, server) {
			unc, err := adminShare(srcServer, pr.src)
			if err != nil {
				return 0, nil, err
			}
			pr.src = unc
			todo[i] = pr
		}
		if strings.EqualFold(winBase(pr.src), winBase(pr.dst)) {
			byDir[winDir(pr.dst)] = append(byDir[winDir(pr.dst)], pr.src)
		} else {
			renamed = append(renamed, pr)
		}
	}
	for _, d := range sortedKeys(byDirKeys(byDir)) {
		list := byDir[d]
		for i := 0; i < len(list); i += fileBatch {
			chunk := list[i:min(i+fileBatch, len(list))]
			if _, err := p.remote(ctx, server, "Copy-Item", newCmd("Copy-Item").strs("-LiteralPath", "file path", chunk).str("-Destination", "folder", d)); err != nil {
				return 0, nil, err
			}
		}
	}
	for _, pr := range renamed {
		if _, err := p.remote(ctx, server, "Copy-Item", newCmd("Copy-Item").str("-LiteralPath", "file path", pr.src).str("-Destination", "file path", pr.dst)); err != nil {
			return 0, nil, err
		}
	}
	after, err := p.hashes(ctx, server, dsts)
	if err != nil {
		return 0, nil, err
	}
	for _, pr := range pairs {
		if after[strings.ToLower(pr.dst)] != srcHash[strings.ToLower(pr.src)] {
			return 0, nil, fmt.Errorf("verify %s on %s: the copy differs from %s on %s (Get-FileHash)", pr.dst, server, pr.src, srcServer)
		}
	}
	return len(todo), created, nil
}

func byDirKeys(m map[string][]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// removeFiles deletes files (already verified elsewhere).
func (p *Provider) removeFiles(ctx context.Context, server string, paths []string) error {
	for i := 0; i < len(paths); i += fileBatch {
		chunk := paths[i:min(i+fileBatch, len(paths))]
		if _, err := p.remote(ctx, server, "Remove-Item", newCmd("Remove-Item").strs("-LiteralPath", "file path", chunk).raw("-Force -Confirm:$false")); err != nil {
			return err
		}
	}
	return nil
}

// fileExists is Test-Path -PathType Leaf.
func (p *Provider) fileExists(ctx context.Context, server, path string) (bool, error) {
	return p.testPath(ctx, server, path, "file path", "Leaf")
}

// testPath is Test-Path -PathType pathType (Leaf or Container) on server; what names
// the path in an error.
func (p *Provider) testPath(ctx context.Context, server, path, what, pathType string) (bool, error) {
	if err := providers.PSCheckValue(what, path); err != nil {
		return false, err
	}
	body, err := p.onServer(server, stopOnError, "Test-Path -LiteralPath "+providers.PSQuote(path)+" -PathType "+pathType)
	if err != nil {
		return false, err
	}
	data, err := p.run(ctx, body)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(string(data)) {
	case "[true]":
		return true, nil
	case "[false]":
		return false, nil
	}
	return false, fmt.Errorf("Test-Path %s on %s: want true or false, got %.40s", path, server, data)
}

// opServer is the server an operation's files live on.
func (p *Provider) opServer(ctx context.Context, op providers.Operation) (string, error) {
	if op.Server != "" {
		return op.Server, nil
	}
	d, err := p.mustDatabase(ctx, op.Database)
	if err != nil {
		return "", fmt.Errorf("no server given: %w", err)
	}
	return d.Server, nil
}

// opServers are the servers an operation's files come from and go to: SourceServer and
// DestServer, each defaulting to the operation's own server.
func (p *Provider) opServers(ctx context.Context, op providers.Operation) (src, dst string, err error) {
	base, err := p.opServer(ctx, op)
	if err != nil {
		return "", "", err
	}
	src, dst = base, base
	if op.SourceServer != "" {
		src = op.SourceServer
	}
	if op.DestServer != "" {
		dst = op.DestServer
	}
	return src, dst, nil
}

// guardNotMounted refuses to touch the files of a mounted database.
func (p *Provider) guardNotMounted(ctx context.Context, name string) error {
	if name == "" {
		return nil
	}
	d, err := p.database(ctx, name)
	if err != nil {
		return err
	}
	if d != nil && d.Mounted {
		return fmt.Errorf("cannot touch the files of %s: it is mounted", d.Name)
	}
	return nil
}

// copyFiles keeps every surviving file of a database in DestFolder (or the .edb at
// DestEdbFilePath and the logs in DestLogFolderPath); nothing is deleted.
func (p *Provider) copyFiles(ctx context.Context, op providers.Operation) (providers.Result, error) {
	server, destServer, err := p.opServers(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	if err := p.knownServers(ctx, server, destServer); err != nil {
		return providers.Result{}, err
	}
	destEdb, destLogs := winJoin(op.DestFolder, winBase(op.EdbFilePath)), op.DestFolder
	if op.DestEdbFilePath != "" {
		destEdb, destLogs = op.DestEdbFilePath, op.DestLogFolderPath
	}
	if destLogs == "" {
		return providers.Result{}, fmt.Errorf("copy_files of %s names no destination folder", op.Database)
	}
	var pairs []filePair
	ok, err := p.fileExists(ctx, server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	if ok {
		pairs = append(pairs, filePair{op.EdbFilePath, destEdb})
	}
	names, err := p.listFolder(ctx, server, op.LogFolderPath)
	if err != nil {
		return providers.Result{}, err
	}
	for _, n := range names {
		pairs = append(pairs, filePair{winJoin(op.LogFolderPath, n), winJoin(destLogs, n)})
	}
	copied, wrote, err := p.copyVerified(ctx, server, destServer, pairs)
	if err != nil {
		return providers.Result{}, err
	}
	where := op.DestFolder
	if op.DestEdbFilePath != "" {
		where = op.DestEdbFilePath + " and " + op.DestLogFolderPath
	}
	switch {
	case len(pairs) == 0:
		return providers.Result{Detail: "no file of the database survives"}, nil
	case copied == 0:
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("%d files already kept in %s", len(pairs), where), Count: int64(len(pairs)), Wrote: wrote}, nil
	}
	return providers.Result{Detail: fmt.Sprintf("kept %d files in %s (Get-FileHash verified)", len(pairs), where), Count: int64(len(pairs)), Wrote: wrote}, nil
}

// moveFiles copies, verifies, then deletes the sources: at no moment is the only copy
// of a database in flight.
func (p *Provider) moveFiles(ctx context.Context, op providers.Operation) (providers.Result, error) {
	server, dbs, err := p.fileOpGuards(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	// A move deletes its sources: never another database's files (issue 19).
	for _, path := range []string{op.EdbFilePath, op.LogFolderPath} {
		if err := providers.GuardPath(server, path, op.Database, dbs); err != nil {
			return providers.Result{}, err
		}
	}
	var pairs []filePair
	if !strings.EqualFold(op.EdbFilePath, op.DestEdbFilePath) {
		ok, err := p.fileExists(ctx, server, op.EdbFilePath)
		if err != nil {
			return providers.Result{}, err
		}
		if ok {
			pairs = append(pairs, filePair{op.EdbFilePath, op.DestEdbFilePath})
		}
	}
	if !strings.EqualFold(op.LogFolderPath, op.DestLogFolderPath) {
		names, err := p.listFolder(ctx, server, op.LogFolderPath)
		if err != nil {
			return providers.Result{}, err
		}
		for _, n := range names {
			pairs = append(pairs, filePair{winJoin(op.LogFolderPath, n), winJoin(op.DestLogFolderPath, n)})
		}
	}
	if len(pairs) == 0 {
		ok, err := p.fileExists(ctx, server, op.DestEdbFilePath)
		if err != nil {
			return providers.Result{}, err
		}
		if ok {
			return providers.Result{AlreadyDone: true, Detail: "files already at " + op.DestEdbFilePath}, nil
		}
		return providers.Result{}, fmt.Errorf("nothing to move: %s is missing and %s holds no database file", op.EdbFilePath, op.DestEdbFilePath)
	}
	_, wrote, err := p.copyVerified(ctx, server, server, pairs)
	if err != nil {
		return providers.Result{}, err
	}
	srcs := make([]string, len(pairs))
	gone := make([]state.Written, len(pairs))
	for i, pr := range pairs {
		srcs[i] = pr.src
		gone[i] = state.Written{Server: server, Path: pr.src, Kind: state.WrittenFile}
	}
	if err := p.removeFiles(ctx, server, srcs); err != nil {
		return providers.Result{}, fmt.Errorf("removing the sources after a verified copy: %w", err)
	}
	return providers.Result{Detail: fmt.Sprintf("moved %d files to %s and %s (copied, Get-FileHash verified, sources removed)", len(pairs), op.DestEdbFilePath, op.DestLogFolderPath),
		Count: int64(len(pairs)), Wrote: wrote, Deleted: gone}, nil
}

var logName = regexp.MustCompile(`^(E[0-9A-Fa-f]{2})([0-9A-Fa-f]{8})?\.(log|chk)$`)

// logPrefix is a log file prefix as Exchange assigns them.
var logPrefix = regexp.MustCompile(`^E[0-9A-F]{2}$`)

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// copyLogs copies the logs of Source's log stream found in SourceFolder (the numbered
// generations and the current one, Enn.log) into LogFolderPath, before the first mount.
func (p *Provider) copyLogs(ctx context.Context, op providers.Operation) (providers.Result, error) {
	if err := p.guardNotMounted(ctx, op.Database); err != nil {
		return providers.Result{}, err
	}
	src, err := p.mustDatabase(ctx, op.Source)
	if err != nil {
		return providers.Result{}, err
	}
	if src.LogFilePrefix == "" {
		return providers.Result{}, fmt.Errorf("Get-MailboxDatabase %s reports no LogFilePrefix", src.Name)
	}
	srcServer, server, err := p.opServers(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	dest := op.LogFolderPath
	if dest == "" {
		d, err := p.mustDatabase(ctx, op.Database)
		if err != nil {
			return providers.Result{}, err
		}
		dest = d.LogFolderPath
	}
	names, err := p.listFolder(ctx, srcServer, op.SourceFolder)
	if err != nil {
		return providers.Result{}, err
	}
	var pairs []filePair
	for _, n := range names {
		m := logName.FindStringSubmatch(n)
		// Enn.log is the current generation: the newest transactions are there, so it
		// travels with the numbered ones (issue 12 §3).
		if m == nil || m[3] != "log" || !strings.EqualFold(m[1], src.LogFilePrefix) {
			continue
		}
		pairs = append(pairs, filePair{winJoin(op.SourceFolder, n), winJoin(dest, n)})
	}
	if err := p.knownServers(ctx, srcServer, server); err != nil {
		return providers.Result{}, err
	}
	copied, wrote, err := p.copyVerified(ctx, srcServer, server, pairs)
	if err != nil {
		return providers.Result{}, err
	}
	detail := fmt.Sprintf("copied %d log files of %s (%s)", copied, src.Name, src.LogFilePrefix)
	return providers.Result{AlreadyDone: copied == 0 && len(pairs) > 0, Detail: detail, Count: int64(copied), Wrote: wrote}, nil
}

// replay is eseutil /r on a dismounted database's files until they are clean, with the
// log prefix the plan gives (op.LogPrefix: that of the database that wrote the logs, from
// the state), never one guessed from the folder: a log folder may hold another stream's
// logs too (the recovery database's own, or a copy an administrator left there).
func (p *Provider) replay(ctx context.Context, op providers.Operation) (providers.Result, error) {
	if err := p.guardNotMounted(ctx, op.Database); err != nil {
		return providers.Result{}, err
	}
	server, err := p.opServer(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	h, err := p.header(ctx, server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	if !h.readable {
		return providers.Result{}, fmt.Errorf("eseutil /mh cannot read %s on %s: %s", op.EdbFilePath, server, tail(h.output))
	}
	if h.clean {
		return providers.Result{AlreadyDone: true, Detail: "already in Clean Shutdown"}, nil
	}
	names, err := p.listFolder(ctx, server, op.LogFolderPath)
	if err != nil {
		return providers.Result{}, err
	}
	prefixes := map[string]bool{}
	for _, n := range names {
		if m := logName.FindStringSubmatch(n); m != nil {
			prefixes[strings.ToUpper(m[1])] = true
		}
	}
	prefix := strings.ToUpper(op.LogPrefix)
	switch {
	case prefix == "" && len(prefixes) == 1:
		// A plan file written before operations carried the prefix: the folder's one stream.
		prefix = sortedKeys(prefixes)[0]
	case prefix == "":
		return providers.Result{}, fmt.Errorf("the plan gives no log prefix for %s and the log folder %s on %s holds logs of %d log streams (%s): plan again",
			op.Database, op.LogFolderPath, server, len(prefixes), strings.Join(sortedKeys(prefixes), ", "))
	case !logPrefix.MatchString(prefix):
		return providers.Result{}, fmt.Errorf("log prefix %q of %s is not E00 to EFF", op.LogPrefix, op.Database)
	case !prefixes[prefix]:
		return providers.Result{}, fmt.Errorf("the log folder %s on %s holds no %s logs (found: %s); eseutil /r %s has nothing to replay",
			op.LogFolderPath, server, prefix, orNone(sortedKeys(prefixes)), prefix)
	}
	args := []string{"/r", prefix, "/l", op.LogFolderPath, "/d", winDir(op.EdbFilePath)}
	if op.AcceptDataLoss {
		args = append(args, "/a")
	}
	lines, code, err := p.native(ctx, server, "eseutil", args...)
	if err != nil {
		return providers.Result{}, err
	}
	if code != 0 {
		return providers.Result{}, fmt.Errorf("eseutil /r %s on %s failed (exit code %d): %s", prefix, server, code, tail(strings.Join(lines, "\n")))
	}
	if h, err = p.header(ctx, server, op.EdbFilePath); err != nil {
		return providers.Result{}, err
	}
	if !h.clean {
		return providers.Result{}, fmt.Errorf("eseutil /r %s finished, but %s is not in Clean Shutdown: %s", prefix, op.EdbFilePath, tail(h.output))
	}
	return providers.Result{Detail: fmt.Sprintf("replayed the %s logs of %s; Clean Shutdown", prefix, op.LogFolderPath)}, nil
}

// tail is the end of a command's output, for an error.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = "..." + s[len(s)-600:]
	}
	if s == "" {
		return "(no output)"
	}
	return s
}
