package planner

import (
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/providers"
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

// conflictOptions are the values of -ConflictResolutionOption; only these are written
// bare, anything else is quoted (and Exchange rejects it, harmlessly).
var conflictOptions = map[string]bool{
	"ForceCopy": true, "KeepAll": true, "KeepLatestItem": true,
	"KeepSourceItem": true, "KeepTargetItem": true, "UpdateFromSource": true,
}

func psEnum(v string) string {
	if conflictOptions[v] {
		return v
	}
	return psQuote(v)
}

func cmdNewDatabase(name, server, edb, logs string, recovery bool) string {
	sw := ""
	if recovery {
		sw = " -Recovery"
	}
	// -Server is always given: Microsoft's example leaves it out, the cmdlet requires it.
	return "New-MailboxDatabase" + sw + " -Name " + psQuote(name) + " -Server " + psQuote(server) +
		" -EdbFilePath " + psQuote(edb) + " -LogFolderPath " + psQuote(logs)
}

func cmdMount(db string) string { return "Mount-Database -Identity " + psQuote(db) }

func cmdDismount(db string) string {
	return "Dismount-Database -Identity " + psQuote(db) + " -Confirm:$false"
}

func cmdStatistics(db string) string { return "Get-MailboxStatistics -Database " + psQuote(db) }

func cmdAllowFileRestore(db string, v bool) string {
	val := "$false"
	if v {
		val = "$true"
	}
	return "Set-MailboxDatabase -Identity " + psQuote(db) + " -AllowFileRestore " + val
}

// cmdRehome re-points user mailboxes, the system mailboxes Get-Mailbox hides without a
// switch, and archives. -AuditLog and -AuxAuditLog exist from Exchange 2016 (15.1) on.
func cmdRehome(from, to string, auditSwitches bool) []string {
	switches := []string{"", "-Arbitration"}
	if auditSwitches {
		switches = append(switches, "-AuditLog", "-AuxAuditLog")
	}
	switches = append(switches, "-Monitoring")
	lines := make([]string, 0, len(switches)+1)
	for _, sw := range switches {
		get, set := "", ""
		if sw != "" {
			get, set = " "+sw, " "+sw
		}
		lines = append(lines, "Get-Mailbox -Database "+psQuote(from)+get+" -ResultSize Unlimited | Set-Mailbox"+set+" -Database "+psQuote(to))
	}
	lines = append(lines, "Get-Mailbox -ResultSize Unlimited | Where-Object { $_.ArchiveDatabase -eq "+psQuote(from)+" } | Set-Mailbox -ArchiveDatabase "+psQuote(to))
	return lines
}

// cmdMoveFileSet moves an .edb (renaming it when the names differ) and a log folder.
// robocopy /MOVE copies, then deletes the source, and works across volumes.
func cmdMoveFileSet(edb, logs, destEdb, destLogs string) []string {
	return []string{
		"New-Item -ItemType Directory -Path " + psQuote(winDir(destEdb)) + " -ErrorAction SilentlyContinue",
		"Move-Item -LiteralPath " + psQuote(edb) + " -Destination " + psQuote(destEdb),
		"robocopy " + psQuote(logs) + " " + psQuote(destLogs) + " /E /MOVE",
	}
}

func cmdMerge(requestName, rdb, guid, address, conflict string, badItemLimit int) string {
	line := "New-MailboxRestoreRequest -Name " + psQuote(requestName) + " -SourceDatabase " + psQuote(rdb) +
		" -SourceStoreMailbox " + psQuote(guid) + " -TargetMailbox " + psQuote(address) +
		" -ConflictResolutionOption " + psEnum(conflict) + " -BadItemLimit " + strconv.Itoa(badItemLimit)
	if badItemLimit > 50 {
		// Exchange refuses limits above 50 without it.
		line += " -AcceptLargeDataLoss"
	}
	return line
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
