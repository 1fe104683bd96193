package config

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// windowsPathProblem says why p is not an absolute local Windows path, or "" when it
// is one. Exchange wants local paths on the server (exchange-recovery.md 3.3).
func windowsPathProblem(p string) string {
	switch {
	case p == "":
		return "it is empty"
	case strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//"):
		return "it is a network (UNC) path, and Exchange keeps database files on a local volume of the server"
	case strings.Contains(p, "/"):
		return "it contains forward slashes, and Windows paths separate folders with backslashes"
	case len(p) < 3 || !isDriveLetter(p[0]) || p[1] != ':' || p[2] != '\\':
		return "it does not start with a drive letter, a colon and a backslash"
	}
	parts := strings.Split(p[3:], `\`)
	for i, part := range parts {
		switch {
		case part == "" && i < len(parts)-1:
			return "it has an empty folder name (two backslashes in a row)"
		case part == "." || part == "..":
			return `it has a "." or ".." component; write the full path without them`
		case strings.ContainsAny(part, `<>:"|?*`) || hasControl(part):
			return `it contains a character Windows refuses in file names (< > : " | ? * or a control character)`
		}
	}
	return ""
}

func isDriveLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func hasControl(s string) bool {
	for _, r := range s {
		// The C0 and C1 controls and the Unicode line breaks: no Exchange name or Windows
		// path holds one, and the Exchange provider refuses them on a command line
		// (providers.PSCheckValue), so a plan must never show one.
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// folderKey is the form in which two folder paths are compared: Windows paths are
// case-insensitive and D:\Logs\ is D:\Logs.
func folderKey(p string) string { return strings.ToLower(strings.TrimRight(p, `\`)) }

// fileName is the last component of a Windows path.
func fileName(p string) string { return p[strings.LastIndex(p, `\`)+1:] }

// checkEdbFilePath checks an edb_file_path: an absolute local path whose file name is
// want (compared case-insensitively). owner names the database for messages; why
// explains the expected name.
func checkEdbFilePath(p string, rng hcl.Range, owner, want, why string) hcl.Diagnostics {
	if problem := windowsPathProblem(p); problem != "" {
		return hcl.Diagnostics{errorAt(rng, "Invalid database file path",
			`The edb_file_path %q of %s is not an absolute local Windows path: %s. Write a full path with a drive letter, like "D:\\Databases\\DB01\\DB01.edb".`,
			p, owner, problem)}
	}
	got := fileName(p)
	if !strings.HasSuffix(strings.ToLower(got), ".edb") {
		return hcl.Diagnostics{errorAt(rng, "Invalid database file path",
			`The edb_file_path %q of %s does not name an .edb file. It is the full path of the database file itself, ending in %q.`,
			p, owner, want)}
	}
	if want != "" && !strings.EqualFold(got, want) {
		return hcl.Diagnostics{errorAt(rng, "Wrong database file name",
			`The edb_file_path %q of %s names the file %q, but it must be %q%s.`,
			p, owner, got, want, why)}
	}
	return nil
}

// checkLogFolderPath checks a log_folder_path: an absolute local path that is not a
// drive root.
func checkLogFolderPath(p string, rng hcl.Range, owner string) hcl.Diagnostics {
	if problem := windowsPathProblem(p); problem != "" {
		return hcl.Diagnostics{errorAt(rng, "Invalid log folder path",
			`The log_folder_path %q of %s is not an absolute local Windows path: %s. Write a full path with a drive letter, like "D:\\Databases\\DB01\\Logs".`,
			p, owner, problem)}
	}
	if len(strings.TrimRight(p, `\`)) == 2 {
		return hcl.Diagnostics{errorAt(rng, "Log folder is a drive root",
			`The log_folder_path %q of %s is the root of a drive, which Exchange refuses. Give the database a folder of its own, like "%s\\Logs\\DB01".`,
			p, owner, p[:2])}
	}
	return nil
}
