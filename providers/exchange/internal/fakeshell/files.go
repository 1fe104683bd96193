//lint:file-ignore ST1005 the double's errors copy Exchange's own wording (capitals, full stops), as the provider sees it

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// hostPath maps a Windows path on server into the lab's tree (providers/lab doc:
// D:\Databases\DB01\DB01.edb on EX01 is servers/EX01/D/Databases/DB01/DB01.edb).
func (sh *shell) hostPath(server, p string) (string, error) {
	if len(p) < 3 || p[1] != ':' || p[2] != '\\' {
		return "", fmt.Errorf("path %q is not an absolute Windows path", p)
	}
	d := strings.ToUpper(p[:1])
	if d < "A" || d > "Z" {
		return "", fmt.Errorf("path %q has no drive letter", p)
	}
	parts := []string{sh.labDir, "servers", server, d}
	rest := strings.TrimRight(p[3:], `\`)
	if rest != "" {
		for _, c := range strings.Split(rest, `\`) {
			if c == "" || c == "." || c == ".." || strings.ContainsAny(c, "/:*?\"<>|\x00") {
				return "", fmt.Errorf("Illegal characters in path %q", p)
			}
			parts = append(parts, c)
		}
	}
	return filepath.Join(parts...), nil
}

// resolve is the server and local path a path names from server: a path of its own
// (D:\...) or another server's administrative share (\\EX01\D$\...), which must be up.
func (sh *shell) resolve(server, p string) (string, string, error) {
	rest, ok := strings.CutPrefix(p, `\\`)
	if !ok {
		return server, p, nil
	}
	host, share, ok := strings.Cut(rest, `\`)
	if !ok || len(share) < 2 || share[1] != '$' || (len(share) > 2 && share[2] != '\\') {
		return "", "", fmt.Errorf("path %q is not on an administrative share (\\\\SERVER\\D$\\...)", p)
	}
	obs, err := sh.topology()
	if err != nil {
		return "", "", err
	}
	var srv string
	for name, s := range obs.Servers {
		if strings.EqualFold(name, host) && s.Up {
			srv = name
		}
	}
	if srv == "" {
		return "", "", fmt.Errorf("The network path was not found: %s", p)
	}
	return srv, share[:1] + ":" + share[2:], nil
}

// inUse refuses a path that a mounted database holds open (its .edb or a file of its
// log folder), as Windows would.
func (sh *shell) inUse(server, winPath string) error {
	obs, err := sh.topology()
	if err != nil {
		return err
	}
	for _, d := range obs.Databases {
		if !d.Mounted || d.Server != server {
			continue
		}
		if strings.EqualFold(d.EdbFilePath, winPath) || strings.EqualFold(winDirOf(winPath), d.LogFolderPath) || strings.EqualFold(winPath, d.LogFolderPath) {
			return fmt.Errorf("The process cannot access the file '%s' because it is being used by another process (database %s is mounted)", winPath, d.Name)
		}
	}
	return nil
}

func winDirOf(p string) string {
	if i := strings.LastIndex(p, `\`); i >= 0 {
		return p[:i]
	}
	return ""
}

func (sh *shell) getChildItem(a *args, ctx *execCtx) ([]any, error) {
	p, err := a.str("LiteralPath")
	if err != nil {
		return nil, err
	}
	if !a.has("File") {
		return nil, fmt.Errorf("Get-ChildItem: only -File listings are in the subset")
	}
	hp, err := sh.hostPath(ctx.server, p)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(hp)
	if err != nil {
		if a.silently() {
			return nil, nil
		}
		return nil, fmt.Errorf("Cannot find path '%s' because it does not exist.", p)
	}
	var out []any
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		out = append(out, newObject("FileInfo", "Name", e.Name(), "Length", info.Size(), "FullName", p+`\`+e.Name()))
	}
	return out, nil
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))), nil
}

func (sh *shell) getFileHash(a *args, ctx *execCtx) ([]any, error) {
	paths, err := a.strs("LiteralPath")
	if err != nil {
		return nil, err
	}
	if alg, err := a.str("Algorithm"); err != nil || alg != "SHA256" {
		return nil, fmt.Errorf("Get-FileHash: -Algorithm SHA256 expected")
	}
	var out []any
	for _, p := range paths {
		if err := sh.inUse(ctx.server, p); err != nil {
			return nil, err
		}
		hp, err := sh.hostPath(ctx.server, p)
		if err != nil {
			return nil, err
		}
		h, err := fileHash(hp)
		if err != nil {
			if a.silently() {
				continue
			}
			return nil, fmt.Errorf("Cannot find path '%s' because it does not exist.", p)
		}
		out = append(out, newObject("FileHash", "Algorithm", "SHA256", "Hash", h, "Path", p))
	}
	return out, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (sh *shell) copyItem(a *args, ctx *execCtx) ([]any, error) {
	srcs, err := a.strs("LiteralPath")
	if err != nil {
		return nil, err
	}
	dest, err := a.str("Destination")
	if err != nil {
		return nil, err
	}
	hd, err := sh.hostPath(ctx.server, dest)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(hd)
	intoDir := err == nil && st.IsDir()
	if !intoDir && len(srcs) != 1 {
		return nil, fmt.Errorf("Copy-Item: destination %s is not a folder", dest)
	}
	for _, s := range srcs {
		target := dest
		if intoDir {
			target = dest + `\` + s[strings.LastIndex(s, `\`)+1:]
		}
		srcServer, src, err := sh.resolve(ctx.server, s)
		if err != nil {
			return nil, err
		}
		if err := sh.inUse(srcServer, src); err != nil {
			return nil, err
		}
		if err := sh.inUse(ctx.server, target); err != nil {
			return nil, err
		}
		hs, err := sh.hostPath(srcServer, src)
		if err != nil {
			return nil, err
		}
		ht, err := sh.hostPath(ctx.server, target)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Dir(ht)); err != nil {
			return nil, fmt.Errorf("Could not find a part of the path '%s'.", target)
		}
		if err := copyFile(hs, ht); err != nil {
			return nil, fmt.Errorf("Copy-Item %s: %v", s, err)
		}
	}
	return nil, nil
}

// moveItem is Move-Item of one file to a full destination path, as the provider sends
// it: never over an existing item (without -Force PowerShell refuses one), never a file
// a mounted database holds, and, as NTFS does, a rename only within one volume (the
// double refuses a move across drives, which would be a copy the provider never meant).
func (sh *shell) moveItem(a *args, ctx *execCtx) ([]any, error) {
	src, err := a.str("LiteralPath")
	if err != nil {
		return nil, err
	}
	dest, err := a.str("Destination")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(src[:1], dest[:1]) {
		return nil, fmt.Errorf("fakeshell: Move-Item %s to another volume (%s) is not in the subset", src, dest)
	}
	for _, p := range []string{src, dest} {
		if err := sh.inUse(ctx.server, p); err != nil {
			return nil, err
		}
	}
	hs, err := sh.hostPath(ctx.server, src)
	if err != nil {
		return nil, err
	}
	hd, err := sh.hostPath(ctx.server, dest)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(hs); err != nil {
		return nil, fmt.Errorf("Cannot find path '%s' because it does not exist.", src)
	}
	if _, err := os.Lstat(hd); err == nil {
		return nil, fmt.Errorf("Cannot create a file when that file already exists.")
	}
	if _, err := os.Stat(filepath.Dir(hd)); err != nil {
		return nil, fmt.Errorf("Could not find a part of the path '%s'.", dest)
	}
	return nil, os.Rename(hs, hd)
}

func (sh *shell) removeItem(a *args, ctx *execCtx) ([]any, error) {
	paths, err := a.strs("LiteralPath")
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if err := sh.inUse(ctx.server, p); err != nil {
			return nil, err
		}
		hp, err := sh.hostPath(ctx.server, p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(hp)
		if err != nil {
			if a.silently() {
				continue
			}
			return nil, fmt.Errorf("Cannot find path '%s' because it does not exist.", p)
		}
		if st.IsDir() {
			if !a.has("Recurse") {
				// As PowerShell: without -Recurse only an empty folder goes.
				if ents, _ := os.ReadDir(hp); len(ents) > 0 {
					return nil, fmt.Errorf("The item at %s has children and the Recurse parameter was not specified.", p)
				}
				err = os.Remove(hp)
			} else {
				err = os.RemoveAll(hp)
			}
		} else {
			err = os.Remove(hp)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (sh *shell) newItem(a *args, ctx *execCtx) ([]any, error) {
	if t, _ := a.str("ItemType"); t != "Directory" {
		return nil, fmt.Errorf("New-Item: only -ItemType Directory is in the subset")
	}
	p, err := a.str("Path")
	if err != nil {
		return nil, err
	}
	hp, err := sh.hostPath(ctx.server, p)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(hp); err == nil && !a.has("Force") {
		return nil, fmt.Errorf("An item with the specified name %s already exists.", p)
	}
	if err := os.MkdirAll(hp, 0o755); err != nil {
		return nil, err
	}
	return []any{newObject("DirectoryInfo", "FullName", p)}, nil
}

func (sh *shell) testPath(a *args, ctx *execCtx) ([]any, error) {
	p, err := a.str("LiteralPath")
	if err != nil {
		return nil, err
	}
	t, _ := a.str("PathType")
	if t != "Leaf" && t != "Container" {
		return nil, fmt.Errorf("Test-Path: only -PathType Leaf and Container are in the subset")
	}
	hp, err := sh.hostPath(ctx.server, p)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(hp)
	return []any{err == nil && st.IsDir() == (t == "Container")}, nil
}

// eseutil: /mh <file> and /r <prefix> /l <logs> /d <folder> [/a].
func (sh *shell) eseutil(a *args, ctx *execCtx) ([]any, error) {
	var argv []string
	for _, v := range a.pos {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("eseutil: argument %v is not a string", v)
		}
		argv = append(argv, s)
	}
	fail := func(msg string) ([]any, error) {
		ctx.lastExit = -1
		return []any{"Extensible Storage Engine Utilities for Microsoft(R) Exchange Server", msg, "Operation terminated with error -1."}, nil
	}
	obs, err := sh.lab.Read(sh.ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case len(argv) == 2 && argv[0] == "/mh":
		hp, err := sh.hostPath(ctx.server, argv[1])
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(hp); err != nil {
			return fail(fmt.Sprintf("Error: Access to source database '%s' failed with Jet error -1811 (JET_errFileNotFound).", argv[1]))
		}
		state := "Dirty Shutdown"
		for _, d := range obs.Databases {
			if d.Server == ctx.server && strings.EqualFold(d.EdbFilePath, argv[1]) {
				if !d.FilesOK {
					return fail("Error: Access to source database failed with Jet error -1206 (JET_errDatabaseCorrupted).")
				}
				if d.Clean {
					state = "Clean Shutdown"
				}
			}
		}
		ctx.lastExit = 0
		return []any{"Extensible Storage Engine Utilities for Microsoft(R) Exchange Server", "Initiating FILE DUMP mode...",
			"         Database: " + argv[1], "            State: " + state, "Operation completed successfully in 0.10 seconds."}, nil
	case (len(argv) == 6 || len(argv) == 7) && argv[0] == "/r" && argv[2] == "/l" && argv[4] == "/d" && (len(argv) == 6 || argv[6] == "/a"):
		prefix, logs, folder := argv[1], argv[3], argv[5]
		hl, err := sh.hostPath(ctx.server, logs)
		if err != nil {
			return nil, err
		}
		ents, _ := os.ReadDir(hl)
		found := false
		for _, e := range ents {
			if strings.HasPrefix(strings.ToUpper(e.Name()), strings.ToUpper(prefix)) && strings.HasSuffix(strings.ToLower(e.Name()), ".log") {
				found = true
			}
		}
		if !found {
			return fail(fmt.Sprintf("Error: no log files with base name %s in %s (Jet error -1811).", prefix, logs))
		}
		hd, err := sh.hostPath(ctx.server, folder)
		if err != nil {
			return nil, err
		}
		ents, _ = os.ReadDir(hd)
		var edbs []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".edb") {
				edbs = append(edbs, e.Name())
			}
		}
		sort.Strings(edbs)
		if len(edbs) != 1 {
			return fail(fmt.Sprintf("Error: %s holds %d database files; the fake eseutil needs exactly one.", folder, len(edbs)))
		}
		edb := strings.TrimRight(folder, `\`) + `\` + edbs[0]
		name := ""
		for _, d := range obs.Databases {
			if d.Server == ctx.server && strings.EqualFold(d.EdbFilePath, edb) {
				name = d.Name
			}
		}
		res, err := sh.labApply(opReplay(name, ctx.server, edb, logs, prefix, len(argv) == 7))
		if err != nil {
			return fail("Error: " + err.Error())
		}
		ctx.lastExit = 0
		return []any{"Extensible Storage Engine Utilities for Microsoft(R) Exchange Server", "Initiating RECOVERY mode...", res.Detail,
			"Operation completed successfully in 1.0 seconds."}, nil
	}
	return nil, fmt.Errorf("eseutil: arguments %q are not in the subset", argv)
}

// restartService is Restart-Service -Name MSExchangeIS on a server: the lab's store
// restart, as Exchange does it (every mounted database dismounts; those mounted at
// startup mount again; the others wait for Mount-Database). It returns once the
// service runs again, as Restart-Service does.
func (sh *shell) restartService(a *args, ctx *execCtx) ([]any, error) {
	name, err := a.str("Name")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(name, "MSExchangeIS") {
		return nil, fmt.Errorf("Restart-Service: the double knows only MSExchangeIS, not %q", name)
	}
	sh.cache = nil
	defer func() { sh.cache = nil }()
	if _, _, err := sh.lab.RestartStore(ctx.server); err != nil {
		return nil, fmt.Errorf("Restart-Service: Service 'Microsoft Exchange Information Store (MSExchangeIS)' cannot be started: %v", err)
	}
	return nil, nil
}
