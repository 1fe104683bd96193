package render

import (
	"fmt"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// File operations in the runbook. The script runs wherever the administrator opens the
// Exchange Management Shell, and a path such as D:\Databases\DB01 means the disk of the
// server that holds the database, not that machine's: so every file command (robocopy,
// eseutil, Move-Item, Remove-Item, Test-Path ...) and every service command runs on the
// operation's server, inside Invoke-Command -ComputerName SERVER -ScriptBlock { ... }.
// The values are the plan's own quoted literals, written into the script block as they
// stand in the plan (so the lines a reviewer approves are the lines that run; nothing
// from the local session is needed there, hence no -ArgumentList or $using:). The block
// sets $ErrorActionPreference = 'Stop' itself (the local preference does not reach a
// remote session), checks each native program's exit code where it ran ($LASTEXITCODE
// is the remote session's) and throws, which -ErrorAction Stop turns into a stop of the
// runbook.

// serverCommands are the commands that act on a server's own disks or services.
var serverCommands = map[string]bool{}

func init() {
	for _, n := range []string{"robocopy", "eseutil", "New-Item", "Move-Item", "Remove-Item", "Copy-Item", "Rename-Item",
		"Test-Path", "Get-ChildItem", "Get-FileHash", "Get-Item", "Restart-Service", "Start-Service", "Stop-Service", "Get-Service"} {
		serverCommands[strings.ToLower(n)] = true
	}
}

// isServerLine reports whether a command line acts on a server's disks or services: it
// names a file or service command (in command position, guards and script blocks
// included) or calls .NET's file system classes.
func isServerLine(c string) bool {
	c = strings.TrimSpace(c)
	if strings.HasPrefix(c, "#") || c == "" {
		return false
	}
	if strings.HasPrefix(c, "[System.IO.") || strings.HasPrefix(c, "[IO.") {
		return true
	}
	if serverCommands[strings.ToLower(firstWord(c))] {
		return true
	}
	invs, err := ems.ScriptInvocations(c)
	if err != nil {
		return false
	}
	for _, inv := range invs {
		if serverCommands[strings.ToLower(inv.Cmd)] {
			return true
		}
	}
	return false
}

// holdsExchangeCmdlet reports whether a line runs an Exchange cmdlet, which exists only
// in the Exchange Management Shell session, never inside a plain remote session.
func holdsExchangeCmdlet(c string) bool {
	invs, err := ems.ScriptInvocations(c)
	if err != nil {
		return false
	}
	for _, inv := range invs {
		if ems.Ref().Cmdlet(inv.Cmd) != nil {
			return true
		}
	}
	return false
}

func firstWord(c string) string {
	if i := strings.IndexAny(c, " \t("); i >= 0 {
		return c[:i]
	}
	return c
}

// fileKind reports whether every line of an operation of kind k, its guard included,
// works on the files of the operation's server: the whole step then runs there.
func fileKind(k providers.OpKind) bool {
	switch k {
	case providers.OpCopyFiles, providers.OpKeepFiles, providers.OpCopyLogs, providers.OpReplayLogs,
		providers.OpMoveFiles, providers.OpDeleteFiles:
		return true
	}
	return false
}

// personKind reports whether an operation of kind k is done by a person in a runbook
// whatever the provider could do: restoring from backup software, rebuilding a server
// and the steps that are instructions only. A script cannot do them, so it pauses.
func personKind(k providers.OpKind) bool {
	switch k {
	case providers.OpRestoreBackup, providers.OpRecoverServer, providers.OpManual, providers.OpRepointProfiles, providers.OpAddCopies:
		return true
	}
	return false
}

// invoke opens a script block on server.
func (ps *psWriter) invoke(indent, server string) {
	ps.line(indent + "Invoke-Command -ComputerName " + q(server) + " -ErrorAction Stop -ScriptBlock {")
	ps.line(indent + "    $ErrorActionPreference = 'Stop'")
}

// secondHop says, before a step that reaches another server's administrative share from
// inside Invoke-Command, what that needs (as the Exchange provider's copies do).
func (ps *psWriter) secondHop(s *planner.Step, server string) {
	for _, other := range []string{s.Operation.SourceServer, s.Operation.DestServer} {
		if other != "" && !strings.EqualFold(other, server) {
			ps.comment("", "Runs on "+server+" and reaches "+other+"'s files through its administrative share: a second hop from inside Invoke-Command. "+
				"Allow it (Kerberos constrained delegation to "+other+"'s CIFS service, or CredSSP) or the copy fails with access denied.")
		}
	}
}

// stepServer is the server a step's file lines run on; a step with file lines and no
// server is refused (a runbook must never guess where D:\ is).
func (ps *psWriter) stepServer(s *planner.Step) string {
	if s.Operation.Server == "" {
		ps.fail(fmt.Errorf("step %s runs file commands but names no server: the runbook cannot say where they run", s.ID))
	}
	return s.Operation.Server
}

// fileStep writes a step whose every line runs on its server: one Invoke-Command holding
// the guard and the lines.
func (ps *psWriter) fileStep(s *planner.Step, cond, skip string) {
	if cond == "" && onlyComments(s.Commands) {
		// Nothing to run (a clean-up with nothing recorded): no session to open.
		for _, c := range s.Commands {
			ps.line(c)
		}
		return
	}
	server := ps.stepServer(s)
	ps.secondHop(s, server)
	ps.invoke("", server)
	if cond == "" {
		ps.fileLines("    ", s, s.Commands)
	} else {
		ps.line("    if (" + cond + ") {")
		ps.fileLines("        ", s, s.Commands)
		ps.line("    } else {")
		ps.line("        Write-Host " + q("skip: "+skip))
		ps.line("    }")
	}
	ps.line("}")
}

func onlyComments(lines []string) bool {
	for _, c := range lines {
		if !strings.HasPrefix(strings.TrimSpace(c), "#") {
			return false
		}
	}
	return true
}

// commands writes the lines of a step that runs Exchange cmdlets in this session: runs
// of consecutive file lines go to the step's server in one Invoke-Command each.
func (ps *psWriter) commands(indent string, s *planner.Step) {
	for i := 0; i < len(s.Commands); {
		c := s.Commands[i]
		if !isServerLine(c) {
			ps.command(indent, c)
			i++
			continue
		}
		j := i
		for j < len(s.Commands) && isServerLine(s.Commands[j]) {
			j++
		}
		ps.invoke(indent, ps.stepServer(s))
		ps.fileLines(indent+"    ", s, s.Commands[i:j])
		ps.line(indent + "}")
		i = j
	}
}

// fileLines writes file lines inside a script block: each native program's exit code
// checked, each copy and move behind a test of its source, each delete behind a test
// of its target (a second run skips what is done).
func (ps *psWriter) fileLines(indent string, s *planner.Step, lines []string) {
	for i := 0; i < len(lines); i++ {
		c := lines[i]
		if holdsExchangeCmdlet(c) {
			ps.fail(fmt.Errorf("step %s: %q mixes an Exchange cmdlet into the lines that run on the server", s.ID, c))
		}
		lits := literals(c)
		switch w := strings.ToLower(firstWord(c)); {
		case w == "robocopy" && len(lits) >= 2:
			src, dst := lits[0], lits[1]
			unit := []string{c}
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "eseutil /ml ") {
				i++
				unit = append(unit, lines[i])
			}
			ps.line(indent + "if (Test-Path -LiteralPath " + src.raw + ") {")
			for _, u := range unit {
				ps.command(indent+"    ", u)
			}
			if strings.Contains(c, " /MOVE") {
				ps.movedElse(indent, s, src.value, dst)
			} else {
				ps.line(indent + "} else {")
				ps.missing(indent+"    ", s, src.value, false)
			}
			ps.line(indent + "}")
		case w == "move-item" && len(lits) >= 2:
			src, dst := lits[0], lits[1]
			ps.line(indent + "if (Test-Path -LiteralPath " + src.raw + ") {")
			ps.command(indent+"    ", c)
			ps.movedElse(indent, s, src.value, dst)
			ps.line(indent + "}")
		case (w == "remove-item" || strings.HasPrefix(w, "[system.io.directory]::delete")) && len(lits) >= 1:
			ps.line(indent + "if (Test-Path -LiteralPath " + lits[0].raw + ") { " + c + " }")
		default:
			ps.command(indent, c)
		}
	}
}

// movedElse closes a move's source test: a source already gone with its destination in
// place is a move done by an earlier run; with neither, the files are missing.
func (ps *psWriter) movedElse(indent string, s *planner.Step, src string, dst literal) {
	ps.line(indent + "} elseif (Test-Path -LiteralPath " + dst.raw + ") {")
	ps.line(indent + "    Write-Host " + q("skip: "+src+" is moved to "+dst.value+" already"))
	ps.line(indent + "} else {")
	ps.missing(indent+"    ", s, src, true)
}

// missing writes what a missing source means. Before its users have dial tone a runbook
// never stops for it (it warns and goes on: service first); after, a source whose loss
// would lose mail stops the run with what to do, and surviving files that are simply
// gone are a warning saying what the mail loses.
func (ps *psWriter) missing(indent string, s *planner.Step, folder string, move bool) {
	op := s.Operation
	where := folder + " on " + op.Server
	gone := " does not exist"
	if move {
		gone = " does not exist, nor does its destination"
	}
	var msg string
	stop := false
	switch {
	case op.Kind == providers.OpCopyLogs:
		msg = where + " does not exist: no surviving log of " + op.Source + " is there, so none is copied into " + op.LogFolderPath +
			". The recovered mail then ends where the backup and the logs already there end; mail written after that is lost unless those logs are found (copy them in and run the runbook again before the mount)."
	case op.Kind == providers.OpCopyFiles && op.DestFolder == "", op.Kind == providers.OpMoveFiles:
		stop = true
		msg = where + gone + ": the files of " + op.Database + " are not where the plan expects them, and going on would lose the mail they hold. " +
			"Find them, then run \"dialtone refresh\" and \"dialtone plan\" before going on."
	default: // the surviving files of a failed or lost database, kept before anything else
		msg = where + " does not exist: no surviving file of " + op.Database + " is there to keep, so nothing is copied from it. A restore of " + op.Database + " then ends where its backup ends."
	}
	if stop && ps.beforeDialTone[s] {
		stop = false
		msg += " Going on: users get dial tone first; look into it once they have."
	}
	if stop {
		ps.line(indent + "throw " + q("STOPPED at "+s.ID+": "+msg))
		return
	}
	ps.line(indent + "Write-Warning " + q(s.ID+": "+msg))
}

// literal is a quoted PowerShell literal of a line: as written, and its value.
type literal struct{ raw, value string }

// literals returns the single-quoted literals of a line in order (providers.PSQuote's
// form: a quote character is doubled).
func literals(c string) []literal {
	rs := []rune(c)
	var out []literal
	for i := 0; i < len(rs); i++ {
		if !isSingleQuote(rs[i]) {
			continue
		}
		start := i
		var v strings.Builder
		for i++; i < len(rs); i++ {
			if isSingleQuote(rs[i]) {
				if i+1 < len(rs) && isSingleQuote(rs[i+1]) {
					v.WriteRune(rs[i+1])
					i++
					continue
				}
				break
			}
			v.WriteRune(rs[i])
		}
		if i >= len(rs) {
			break // unterminated: not one of dialtone's lines
		}
		out = append(out, literal{raw: string(rs[start : i+1]), value: v.String()})
	}
	return out
}

func isSingleQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
}

// dialToneOrder marks the steps that run while their recovery's users still wait for
// dial tone: steps of the dial_tone stage before the step that gives service back.
func dialToneOrder(p *planner.Plan) map[*planner.Step]bool {
	before := map[*planner.Step]bool{}
	served := map[string]bool{}
	for _, s := range p.Steps {
		if s == nil {
			continue
		}
		if s.Stage == config.StageDialTone && !served[s.Recovery] {
			before[s] = true
		}
		if s.Outage == planner.OutageEnds {
			served[s.Recovery] = true
		}
	}
	return before
}

// referenceLine is a file line as a manual step shows it: on its server.
func referenceLine(s *planner.Step, c string) string {
	if !isServerLine(c) || s.Operation.Server == "" {
		return c
	}
	return "Invoke-Command -ComputerName " + q(s.Operation.Server) + " -ScriptBlock { " + c + " }"
}
