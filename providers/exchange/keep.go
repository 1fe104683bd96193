package exchange

import (
	"context"
	"fmt"

	"github.com/dialtone/dialtone/providers"
)

// keepFiles is keep_files (providers.OpKeepFiles): the failed database's .edb is
// renamed into DestFolder with Move-Item inside its own volume, which Windows does as a
// rename (atomic, and instant whatever the file's size: the time to dial tone does not
// grow with it), and its logs are copied there, verified by hash. It moves a file
// dialtone did not write, so providers.GuardKeep holds it to the database's own file as
// Get-MailboxDatabase reports it; a file already at the destination stops it (Move-Item
// without -Force never replaces one either): nothing is deleted or overwritten. A re-run
// after a crash finds the rename done and finishes the copies. What it keeps is the
// admin's: nothing is recorded as written by dialtone, so no clean-up deletes it.
func (p *Provider) keepFiles(ctx context.Context, op providers.Operation) (providers.Result, error) {
	server, dbs, err := p.fileOpGuards(ctx, op)
	if err != nil {
		return providers.Result{}, err
	}
	kept, err := providers.GuardKeep(server, op, dbs)
	if err != nil {
		return providers.Result{}, err
	}
	there, err := p.fileExists(ctx, server, op.EdbFilePath)
	if err != nil {
		return providers.Result{}, err
	}
	keptThere, err := p.fileExists(ctx, server, kept)
	if err != nil {
		return providers.Result{}, err
	}
	renamed := false
	if there {
		if keptThere {
			return providers.Result{}, fmt.Errorf("%s on %s already exists: refusing to overwrite it with %s; move one of them away, then run apply again", kept, server, op.EdbFilePath)
		}
		if _, err := p.remote(ctx, server, "Move-Item",
			newCmd("New-Item").raw("-ItemType Directory -Force").str("-Path", "folder", op.DestFolder).raw("| Out-Null"),
			newCmd("Move-Item").str("-LiteralPath", "file path", op.EdbFilePath).str("-Destination", "file path", kept)); err != nil {
			return providers.Result{}, fmt.Errorf("rename %s into %s on %s: %w", op.EdbFilePath, op.DestFolder, server, err)
		}
		renamed, keptThere = true, true
	}
	names, err := p.listFolder(ctx, server, op.LogFolderPath)
	if err != nil {
		return providers.Result{}, err
	}
	pairs := make([]filePair, 0, len(names))
	for _, n := range names {
		pairs = append(pairs, filePair{winJoin(op.LogFolderPath, n), winJoin(op.DestFolder, n)})
	}
	copied, _, err := p.copyVerified(ctx, server, server, pairs)
	if err != nil {
		return providers.Result{}, err
	}
	n := int64(len(pairs))
	if keptThere {
		n++
	}
	switch {
	case n == 0:
		return providers.Result{Detail: "no file of the database survives"}, nil
	case !renamed && copied == 0:
		return providers.Result{AlreadyDone: true, Detail: fmt.Sprintf("%d files already kept in %s", n, op.DestFolder), Count: n}, nil
	}
	detail := fmt.Sprintf("kept %d files in %s", n, op.DestFolder)
	if renamed {
		detail += fmt.Sprintf(" (%s renamed in place with Move-Item, %d log files copied, Get-FileHash verified)", winBase(op.EdbFilePath), copied)
	}
	return providers.Result{Detail: detail, Count: n}, nil
}
