package render

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/ems"
)

// PowerShell writes p as one runbook an administrator can read and run in the Exchange
// Management Shell: #Requires, $ErrorActionPreference = 'Stop', a header with the plan's
// lineage, serial and configuration digest and a summary, then every step as a
// commented block (ID, phase, risk, stage) holding its command lines behind an
// idempotence guard, so that running the script again skips what is done. Manual steps
// pause with Read-Host and write who confirmed them, and when, to the transcript the
// script starts; steps where users lose or regain service are marked with
// Write-Warning. File commands run on the server holding the files, inside
// Invoke-Command (powershell_remote.go). Consecutive merges of a recovery become one loop over a data table
// (one line per mailbox and step ID), so a 12,000-mailbox merge stays readable.
//
// Every value comes from the plan through providers.PSQuote; names are never spliced in
// as code, and comments have their line breaks removed.
func PowerShell(w io.Writer, p *planner.Plan) error {
	if p == nil {
		return errors.New("no plan")
	}
	bw := bufio.NewWriter(w)
	ps := &psWriter{w: bw, beforeDialTone: dialToneOrder(p), rebuiltBy: planner.RebuiltBy(p), numbers: map[*planner.Step]int{}}
	for i, s := range p.Steps {
		ps.numbers[s] = i + 1
	}
	ps.header(p)
	for i := 0; i < len(p.Steps); {
		s := p.Steps[i]
		if s == nil {
			return errors.New("the plan holds an empty step")
		}
		if s.Operation.Kind == providers.OpMergeMailbox && !s.Manual {
			j := i
			for j < len(p.Steps) && p.Steps[j] != nil && p.Steps[j].Operation.Kind == providers.OpMergeMailbox &&
				!p.Steps[j].Manual && p.Steps[j].Recovery == s.Recovery && p.Steps[j].Operation.Source == s.Operation.Source &&
				p.Steps[j].Operation.RequestName == s.Operation.RequestName {
				j++
			}
			ps.merges(p.Steps[i:j], i+1, len(p.Steps))
			i = j
			continue
		}
		ps.step(s, i+1, len(p.Steps))
		i++
	}
	ps.line("")
	ps.line("Write-Host 'dialtone runbook finished: every step is done.'")
	ps.line("Stop-Transcript")
	if ps.err != nil {
		return ps.err
	}
	return bw.Flush()
}

type psWriter struct {
	w              *bufio.Writer
	beforeDialTone map[*planner.Step]bool
	rebuiltBy      map[*planner.Step]*planner.Step // planner.RebuiltBy
	numbers        map[*planner.Step]int
	err            error // the first step the runbook cannot write safely
}

func (ps *psWriter) fail(err error) {
	if ps.err == nil {
		ps.err = err
	}
}

func (ps *psWriter) line(s string) { ps.w.WriteString(s + "\n") }

// comment writes text as "# ..." lines; a name cannot end the comment.
func (ps *psWriter) comment(indent, text string) {
	ps.line(indent + "# " + oneLine(text))
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// q quotes a value as a PowerShell literal.
func q(s string) string { return providers.PSQuote(oneLine(s)) }

func (ps *psWriter) header(p *planner.Plan) {
	ps.line("#Requires -Version 5.1")
	ps.line("<#")
	ps.line(".SYNOPSIS")
	ps.line("    dialtone recovery runbook, generated from a saved plan. Run it in the Exchange Management Shell.")
	ps.line(".DESCRIPTION")
	ps.line("    Plan:          format " + strconv.Itoa(p.FormatVersion) + ", state lineage " + blockText(p.Lineage) + ", serial " + strconv.FormatUint(p.Serial, 10))
	ps.line("    Configuration: sha256 " + blockText(p.ConfigDigest))
	ps.line("")
	for _, l := range wrapText(summary(p), 88) {
		ps.line("    " + blockText(l))
	}
	ps.line("")
	ps.line("    Every step is guarded: run the script again after a failure and it skips what is")
	ps.line("    already done. It stops at the first error ($ErrorActionPreference = 'Stop'), pauses")
	ps.line("    (Read-Host) where a person has to act, and warns loudly where users lose service.")
	ps.line("    File commands (robocopy, eseutil, Move-Item, Remove-Item, Test-Path) run on the")
	ps.line("    server that holds the files, through Invoke-Command -ComputerName (WinRM to each")
	ps.line("    Mailbox server); robocopy exit codes 0 to 7 are success, 8 and above stop the run.")
	ps.line("    Who confirmed each manual step, and when, goes to the transcript it starts.")
	ps.line("    It does not record progress in dialtone's state: after running it by hand, run")
	ps.line("    \"dialtone refresh\" and \"dialtone plan\" to see what dialtone still expects.")
	ps.line("#>")
	ps.line("")
	ps.line("$ErrorActionPreference = 'Stop'")
	// The audit trail: every Write-Host below (each step done, each confirmation with
	// who and when) lands in a transcript beside the script's working folder.
	ps.line("$dtTranscript = Join-Path -Path $PWD.ProviderPath -ChildPath ('dialtone-runbook-' + (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ') + '.log')")
	ps.line("Start-Transcript -LiteralPath $dtTranscript -Append")
	ps.line("Write-Host ('dialtone runbook started by ' + $env:USERDOMAIN + '\\' + $env:USERNAME + ' on ' + $env:COMPUTERNAME + ' at ' + " + nowUTC + " + ': plan serial " + strconv.FormatUint(p.Serial, 10) + ", state lineage ' + " + q(p.Lineage) + ")")
	// One domain controller for the whole run, as the provider pins -DomainController:
	// each read sees the run's own writes (exchange-recovery.md 1.1).
	ps.line("$dtDC = Read-Host -Prompt 'The domain controller (FQDN) every cmdlet of this runbook uses'")
	ps.line("Set-ADServerSettings -PreferredServer $dtDC")
	ps.line("")
}

// blockText keeps "#>" from ending the header's block comment early.
func blockText(s string) string { return strings.ReplaceAll(oneLine(s), "#>", "# >") }

func summary(p *planner.Plan) string {
	if len(p.Steps) == 0 {
		return "This plan has no steps: the organization already matches the configuration."
	}
	manual, affected := 0, 0
	for _, s := range p.Steps {
		if s.Manual {
			manual++
		}
	}
	var parts []string
	for _, r := range p.Recoveries {
		affected += r.Mailboxes
		from := r.From
		if from == "" {
			from = "not started"
		}
		parts = append(parts, fmt.Sprintf("recovery %s (%s of database %s on %s, %d mailboxes) from %s to %s",
			r.Name, r.Option, r.Database, r.Server, r.Mailboxes, from, r.To))
	}
	s := fmt.Sprintf("This runbook carries out %s for %s: %s.", Count(len(p.Steps), "step", "steps"),
		Count(len(p.Recoveries), "recovery", "recoveries"), strings.Join(parts, "; "))
	if manual > 0 {
		s += fmt.Sprintf(" %s done by a person; the script pauses there.", Count(manual, "step is", "steps are"))
	}
	if len(p.Outages) > 0 {
		var ws []string
		for _, o := range p.Outages {
			ws = append(ws, fmt.Sprintf("%d mailboxes of %s from %s to %s (%s)", o.Mailboxes, o.Recovery, o.FromStep, o.ToStep, o.Reason))
		}
		s += " Users are without service in " + Count(len(p.Outages), "window", "windows") + ": " + strings.Join(ws, "; ") + "."
	}
	return s
}

func wrapText(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func (ps *psWriter) banner(s *planner.Step, n, total int) {
	ps.line("# " + strings.Repeat("=", 86))
	ps.comment("", fmt.Sprintf("Step %d of %d: %s", n, total, s.ID))
	ps.comment("", fmt.Sprintf("Phase: %s   Risk: %s   Stage: %s   (exchange-recovery.md step %d)", s.Phase, s.Risk, s.Stage, s.Number))
	ps.comment("", s.Summary)
	if r := ps.rebuiltBy[s]; r != nil {
		ps.comment("", fmt.Sprintf("After: %s, done by step %d (%s)", r.Summary, ps.numbers[r], r.ID))
	}
	for _, pc := range s.Preconditions {
		ps.comment("", "Precondition: "+pc.Description)
	}
	ps.line("# " + strings.Repeat("=", 86))
}

func (ps *psWriter) outageBefore(s *planner.Step) {
	switch s.Outage {
	case planner.OutageStarts:
		ps.line("Write-Warning " + q(fmt.Sprintf("*** USERS LOSE SERVICE: %d mailboxes are without service from this step (%s) until the database is mounted again ***", s.Mailboxes, s.ID)))
		ps.confirm(s.ID, "Users are about to lose service. Type your name to go on (Enter: this Windows account), Ctrl+C to stop", "go-ahead for the outage from ")
	case planner.OutageContinues:
		ps.line("Write-Warning " + q(fmt.Sprintf("*** users (%d mailboxes) are WITHOUT SERVICE during this step ***", s.Mailboxes)))
	}
}

func (ps *psWriter) outageAfter(s *planner.Step) {
	if s.Outage == planner.OutageEnds {
		ps.line("Write-Warning " + q(fmt.Sprintf("*** SERVICE BACK: %d mailboxes have service again (%s) ***", s.Mailboxes, s.ID)))
	}
}

func (ps *psWriter) step(s *planner.Step, n, total int) {
	ps.banner(s, n, total)
	ps.outageBefore(s)
	if s.Manual || personKind(s.Operation.Kind) {
		ps.manual(s)
	} else {
		ps.guarded(s)
	}
	ps.outageAfter(s)
	ps.line("Write-Host " + q("done: "+s.ID))
	ps.line("")
}

func (ps *psWriter) manual(s *planner.Step) {
	what := s.Operation.Instructions
	if what == "" {
		// A step the provider would do but a script cannot (a backup restore through
		// the lab's API): the plan has no instructions for a person, so say where.
		what = s.Summary
		if s.Operation.Kind == providers.OpRestoreBackup && s.Operation.Server != "" {
			what += ", with your backup software on " + s.Operation.Server
		}
	}
	ps.line("Write-Warning " + q("MANUAL STEP "+s.ID+": "+what))
	if len(s.Commands) > 0 {
		ps.comment("", "For reference, the commands this step stands for (run or adapt them by hand):")
		for _, c := range s.Commands {
			ps.comment("", "    "+referenceLine(s, strings.TrimPrefix(c, "# ")))
		}
	}
	ps.confirm(s.ID, "Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop", "confirmed: ")
}

// nowUTC is the time as the audit lines write it (RFC 3339, UTC, as dialtone's state).
const nowUTC = "(Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')"

// confirm pauses until a person answers, then writes who answered and when: the
// runbook's form of "dialtone confirm -who" (whose default is USER@HOST), kept in the
// transcript.
func (ps *psWriter) confirm(id, prompt, what string) {
	ps.line("$dtWho = Read-Host -Prompt " + q(prompt))
	ps.line("if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }")
	ps.line("Write-Host (" + q(what+id+" by ") + " + $dtWho + ' at ' + " + nowUTC + ")")
}

// guard returns the condition under which a step still has work to do, and what to say
// when it has none; "" runs the commands unconditionally (they are idempotent, or, for
// moves and deletes, each line is behind a test of its own: see fileLines).
func guard(op providers.Operation) (cond, skip string) {
	db := q(op.Database)
	switch op.Kind {
	case providers.OpCreateDatabase:
		return "-not (Get-MailboxDatabase -Identity " + db + " -ErrorAction SilentlyContinue)", op.Database + " exists already"
	case providers.OpMountDatabase:
		return "-not (Get-MailboxDatabase -Identity " + db + " -Status).Mounted", op.Database + " is mounted already"
	case providers.OpDismountDatabase:
		return "(Get-MailboxDatabase -Identity " + db + " -Status).Mounted", op.Database + " is dismounted already"
	case providers.OpSetAllowFileRestore:
		return "(Get-MailboxDatabase -Identity " + db + ").AllowFileRestore -ne " + psBool(op.Value), "AllowFileRestore of " + op.Database + " is " + psBool(op.Value) + " already"
	case providers.OpSetExcludedFromProvisioning:
		return "(Get-MailboxDatabase -Identity " + db + ").IsExcludedFromProvisioning -ne " + psBool(op.Value), "IsExcludedFromProvisioning of " + op.Database + " is " + psBool(op.Value) + " already"
	case providers.OpRemoveDatabase:
		return "Get-MailboxDatabase -Identity " + db + " -ErrorAction SilentlyContinue", op.Database + " is removed already"
	case providers.OpRenameDatabase:
		return "Get-MailboxDatabase -Identity " + db + " -ErrorAction SilentlyContinue", op.Database + " is renamed " + op.Target + " already"
	case providers.OpReplayLogs:
		// Runs on the database's server, with the replay (see fileStep).
		return "-not (eseutil /mh " + q(op.EdbFilePath) + " | Select-String -SimpleMatch -Pattern 'Clean Shutdown')", op.EdbFilePath + " is in Clean Shutdown already"
	case providers.OpResumeRestoreRequest:
		return "(Get-MailboxRestoreRequest -TargetMailbox " + q(op.Mailbox) + " -Name " + q(op.RequestName) + ").Status -notin 'Completed','CompletedWithWarning'", "the request is done already"
	}
	return "", ""
}

func psBool(v bool) string {
	if v {
		return "$true"
	}
	return "$false"
}

func (ps *psWriter) guarded(s *planner.Step) {
	if s.Operation.Kind == providers.OpRestartStore {
		ps.restartStore(s)
		return
	}
	cond, skip := guard(s.Operation)
	if fileKind(s.Operation.Kind) {
		ps.fileStep(s, cond, skip)
		return
	}
	switch s.Operation.Kind {
	case providers.OpRehomeMailboxes, providers.OpRehomeSystemMailboxes:
		ps.comment("", "Get-Mailbox -Database finds only the mailboxes still on "+s.Operation.Database+": a second run moves nothing.")
	}
	if cond == "" {
		ps.commands("", s)
		return
	}
	ps.line("if (" + cond + ") {")
	ps.commands("    ", s)
	ps.line("} else {")
	ps.line("    Write-Host " + q("skip: "+skip))
	ps.line("}")
}

// restartStore writes the store restart (Commands[0], on the recovery database's
// server) and a mount of each database it interrupts that the store did not mount by
// itself (Commands[1:], one per database of Operation.Databases); nothing when the
// recovery database is mounted already (the store has loaded it).
func (ps *psWriter) restartStore(s *planner.Step) {
	op := s.Operation
	if s.Mailboxes > 0 {
		ps.line("Write-Warning " + q(fmt.Sprintf("*** %d mailboxes on %s lose service while the Information Store of %s restarts (%s) ***", s.Mailboxes, strings.Join(op.Databases, ", "), op.Server, s.ID)))
	}
	ps.line("if (-not (Get-MailboxDatabase -Identity " + q(op.Database) + " -Status).Mounted) {")
	if len(s.Commands) > 0 {
		// The service is the recovery database's server's: it restarts there.
		ps.invoke("    ", ps.stepServer(s))
		ps.command("        ", s.Commands[0])
		ps.line("    }")
	}
	for i, db := range op.Databases {
		if i+1 >= len(s.Commands) {
			break
		}
		ps.line("    if (-not (Get-MailboxDatabase -Identity " + q(db) + " -Status).Mounted) {")
		ps.command("        ", s.Commands[i+1])
		ps.line("    }")
	}
	ps.line("} else {")
	ps.line("    Write-Host " + q("skip: "+op.Database+" is mounted: the Information Store on "+op.Server+" has loaded it"))
	ps.line("}")
}

// command writes one command line; native programs do not stop the script by
// themselves, so their exit code is checked where they ran (robocopy: 0 to 7 are
// success, 8 and above failures; eseutil: anything but 0 is a failure).
func (ps *psWriter) command(indent, c string) {
	ps.line(indent + c)
	switch {
	case strings.HasPrefix(c, "eseutil "):
		ps.line(indent + "if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }")
	case strings.HasPrefix(c, "robocopy "):
		ps.line(indent + "if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }")
	}
}

// merges writes consecutive merge steps as one table and one loop: a request per
// mailbox present in the recovery database, never a second request of the same name,
// then a wait until every request has finished.
func (ps *psWriter) merges(steps []*planner.Step, first, total int) {
	s0 := steps[0]
	op := s0.Operation
	ps.line("# " + strings.Repeat("=", 86))
	ps.comment("", fmt.Sprintf("Steps %d to %d of %d: %s merges of recovery %s", first, first+len(steps)-1, total, strconv.Itoa(len(steps)), s0.Recovery))
	ps.comment("", fmt.Sprintf("Phase: %s   Risk: %s   Stage: %s   (exchange-recovery.md step %d)", s0.Phase, s0.Risk, s0.Stage, s0.Number))
	ps.comment("", "One named restore request per mailbox, from "+op.Source+"; mailboxes absent from "+op.Source+" are skipped (nothing to merge).")
	ps.comment("", "The command each row stands for:")
	ps.comment("", "    "+s0.Commands[0])
	ps.line("# " + strings.Repeat("=", 86))
	ps.line("$dtMerges = @(")
	for i, s := range steps {
		sep := ","
		if i == len(steps)-1 {
			sep = ""
		}
		ps.line("    @{ Mailbox = " + q(s.Operation.Mailbox) + "; Guid = " + q(s.Operation.ExchangeGuid) + " }" + sep + "  # " + oneLine(s.ID))
	}
	ps.line(")")
	ps.line("$dtPresent = @{}")
	ps.line(ems.MailboxStatistics(op.Source).String() + " | ForEach-Object { $dtPresent[([string]$_.MailboxGuid).ToLower()] = $true }")
	ps.line("foreach ($dtM in $dtMerges) {")
	ps.line("    if (-not $dtPresent[$dtM.Guid.ToLower()]) { Write-Host ('skip: no mailbox ' + $dtM.Guid + ' in ' + " + q(op.Source) + "); continue }")
	ps.line("    if (Get-MailboxRestoreRequest -TargetMailbox $dtM.Mailbox -Name " + q(op.RequestName) + " -ErrorAction SilentlyContinue) { continue }")
	// The row's line is the plan's, with the loop's variables for the mailbox.
	ps.line("    " + ems.NewRestoreRequest(ems.RestoreRequest{Name: op.RequestName, SourceDatabase: op.Source,
		SourceStoreMailbox: "$dtM.Guid", TargetMailbox: "$dtM.Mailbox", Loop: true,
		Conflict: op.ConflictResolution, BadItemLimit: op.BadItemLimit}).String() + " | Out-Null")
	ps.line("}")
	ps.line("do {")
	ps.line("    Start-Sleep -Seconds 30")
	// A suspended or failed request waits for a person: the loop ends on them too.
	ps.line("    $dtOpen = @(Get-MailboxRestoreRequest -SourceDatabase " + q(op.Source) + " -ResultSize Unlimited | Where-Object { $_.Status -notin 'Completed','CompletedWithWarning','Failed','Suspended','AutoSuspended' })")
	ps.line("    Write-Host ('restore requests still running: ' + $dtOpen.Count)")
	ps.line("} while ($dtOpen.Count -gt 0)")
	ps.line("$dtFailed = @(Get-MailboxRestoreRequest -SourceDatabase " + q(op.Source) + " -ResultSize Unlimited | Where-Object { $_.Status -in 'Failed','Suspended','AutoSuspended' })")
	ps.line("if ($dtFailed.Count -gt 0) {")
	ps.line("    $dtFailed | Format-Table -AutoSize Name, TargetMailbox, Status")
	ps.line("    throw ('' + $dtFailed.Count + ' restore requests stopped (' + (($dtFailed | ForEach-Object { '' + $_.TargetMailbox + '\\' + $_.Name + ' ' + $_.Status }) -join '; ') + '): a Failed one: read Get-MailboxRestoreRequestStatistics -IncludeReport, raise -BadItemLimit with Set-MailboxRestoreRequest, then Resume-MailboxRestoreRequest; a suspended one: resume it when its databases are back')")
	ps.line("}")
	ps.line("Write-Host " + q(fmt.Sprintf("done: %d merges of %s", len(steps), s0.Recovery)))
	ps.line("")
}
