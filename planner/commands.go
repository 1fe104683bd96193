package planner

import (
	"strings"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// psQuote returns s as one single-quoted PowerShell literal: the provider's quoting, so
// that the plan's command lines and what the Exchange provider sends cannot differ.
func psQuote(s string) string { return providers.PSQuote(s) }

// psComment returns a "# ..." line. A comment ends at a line break, so control
// characters in names are replaced: a name must not be able to end the comment and
// start a command.
func psComment(s string) string {
	return "# " + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// The command lines of the steps come from providers/ems, the one description of each
// operation's Exchange Management Shell syntax that the Exchange provider runs too.

func lines(ls ...ems.Line) []string { return ems.Strings(ls) }

func cmdNewDatabase(name, server, edb, logs string, recovery bool) string {
	return ems.NewDatabase(name, server, edb, logs, recovery).String()
}

func cmdMount(db string) string { return ems.MountDatabase(db).String() }

func cmdDismount(db string) string { return ems.DismountDatabase(db).String() }

func cmdStatistics(db string) string { return ems.MailboxStatistics(db).String() }

func cmdAllowFileRestore(db string, v bool) string { return ems.SetAllowFileRestore(db, v).String() }

func cmdHeader(edb string) string { return ems.Header(edb).String() }

// cmdMoveFileSet moves an .edb (renaming it when the names differ) and a log folder.
// robocopy /MOVE copies, then deletes the source, and works across volumes.
func cmdMoveFileSet(edb, logs, destEdb, destLogs string) []string {
	return lines(ems.NewFolder(winDir(destEdb)), ems.MoveFile(edb, destEdb), ems.RobocopyMove(logs, destLogs))
}

// winDir returns the folder of a Windows path ("D:\a\b.edb" -> "D:\a").
func winDir(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i < 0 {
		return ""
	}
	return p[:i]
}

// winBase returns the last element of a Windows path.
func winBase(p string) string {
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

// winJoin joins a folder and a name with a backslash.
func winJoin(dir, name string) string {
	if dir == "" {
		return name
	}
	if strings.HasSuffix(dir, `\`) || strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + `\` + name
}

// siblingFolder returns the folder beside dir with suffix added ("D:\Databases\DB01" ->
// "D:\Databases\DB01-preserved"). A drive root has no sibling, so the new folder goes
// inside it, named after fallback.
func siblingFolder(dir, suffix, fallback string) string {
	if dir == "" || strings.HasSuffix(dir, ":") || strings.HasSuffix(dir, `\`) {
		return winJoin(dir, fallback+suffix)
	}
	return dir + suffix
}
