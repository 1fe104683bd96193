package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dialtone/dialtone/state/atomicfile"
)

// The journal is FILE.journal: one line per finished step, appended and fsynced by
// AppendJournal, so that a checkpoint costs the size of the step and not of the state.
// Parallel steps finishing together append their lines with one write and one fsync
// (AppendJournalBatch, the apply walk's group commit); the walk acknowledges none of
// them before that fsync returned.
// Read replays the records made against the stored state's lineage and serial; Write
// folds them into the file and removes the journal.
//
// A crash mid-append leaves at most one torn line, at the end: it is ignored on replay
// and cut off by the next append. A bad line with good ones after it is not a crash
// artefact, and Read refuses it.

// journalRecord is one line of the journal. CRC32 (IEEE) is over the bytes of Changes
// exactly as written.
type journalRecord struct {
	Lineage string          `json:"lineage"`
	Serial  uint64          `json:"serial"`
	Changes json.RawMessage `json:"changes"`
	CRC32   uint32          `json:"crc32"`
}

// AppendJournal durably appends one record holding changes, made against the lineage
// and serial of the state last read or written through l (so Read or Write must come
// first). The line is written with a single write and fsynced before it returns. No
// changes, no record.
func (l *Local) AppendJournal(ctx context.Context, changes []Change) error {
	return l.AppendJournalBatch(ctx, [][]Change{changes})
}

// AppendJournalBatch durably appends one record per element of batch, in order, with
// a single write and a single fsync (the group commit of parallel steps, see
// planner/journal_group.go). Each record is its own line, exactly as AppendJournal
// writes it, so replay cannot tell a batch from separate appends: a crash during the
// write leaves whole records and at most one torn line at the end, as before. On error
// none of the records may be taken as durable (some may be; replay finds them). Empty
// elements make no record.
func (l *Local) AppendJournalBatch(_ context.Context, batch [][]Change) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var buf []byte
	for _, changes := range batch {
		if len(changes) == 0 {
			continue
		}
		if !l.stored {
			return fmt.Errorf("append to journal %q: read or write the state first (the journal records the stored state's serial)", l.journalPath())
		}
		raw, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("append to journal %q: %w", l.journalPath(), err)
		}
		line, err := json.Marshal(journalRecord{Lineage: l.lineage, Serial: l.serial, Changes: raw, CRC32: crc32.ChecksumIEEE(raw)})
		if err != nil {
			return fmt.Errorf("append to journal %q: %w", l.journalPath(), err)
		}
		buf = append(append(buf, line...), '\n')
	}
	if len(buf) == 0 {
		return nil
	}
	line := buf
	if err := l.openJournal(); err != nil {
		return err
	}
	_, err := l.journal.Write(line)
	if err == nil {
		err = l.journal.Sync()
	}
	if err != nil {
		// What reached the disk is unknown: forget the open file, so that the next
		// append cuts the journal back to the last record known whole.
		_ = l.journal.Close()
		l.journal = nil
		l.journalValid = l.journalSize
		return fmt.Errorf("append to journal %q: %w", l.journalPath(), err)
	}
	l.journalSize += int64(len(line))
	l.logger().Trace("appended to the journal", "path", l.journalPath(), "records", bytes.Count(line, []byte{'\n'}), "bytes", len(line), "serial", l.serial)
	return nil
}

// openJournal opens the journal for appending once, cutting off any torn tail first.
func (l *Local) openJournal() error {
	if l.journal != nil {
		return nil
	}
	f, err := os.OpenFile(l.journalPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open journal %q: %w", l.journalPath(), err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open journal %q: %w", l.journalPath(), err)
	}
	size := fi.Size()
	if size > l.journalValid {
		if err := f.Truncate(l.journalValid); err != nil {
			f.Close()
			return fmt.Errorf("cut the torn end off journal %q: %w", l.journalPath(), err)
		}
		size = l.journalValid
	}
	if err := atomicfile.SyncDir(filepath.Dir(l.journalPath())); err != nil { // a new file's name must survive a crash too
		f.Close()
		return fmt.Errorf("open journal %q: %w", l.journalPath(), err)
	}
	l.journal, l.journalSize = f, size
	return nil
}

// closeJournal closes the journal if open; what was appended stays valid.
func (l *Local) closeJournal() {
	if l.journal == nil {
		return
	}
	_ = l.journal.Close() // every record was fsynced when appended
	l.journal = nil
	l.journalValid = l.journalSize
}

// replayJournal applies to s, in order, the changes of every record of the journal at
// path made against s's lineage and serial, refusing a journal over limit bytes. It returns how many records it applied and
// the length of the journal's whole lines. A missing journal is an empty one.
func replayJournal(path string, limit int64, s *State, r *Replay) (valid int64, err error) {
	b, err := ReadFileLimited(path, limit, fmt.Sprintf("journal %q", path), EnvMaxJournalBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if isLimit(err) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("read journal %q: %w", path, err)
	}
	return replayRecords(path, b, s, r)
}

// replayRecords is replayJournal on the journal's contents b; path is for messages.
func replayRecords(path string, b []byte, s *State, r *Replay) (valid int64, err error) {
	for off, lineNo := 0, 1; off < len(b); lineNo++ {
		end := bytes.IndexByte(b[off:], '\n')
		next := len(b)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimSpace(b[off:next])
		whole := end >= 0
		if len(line) == 0 {
			if whole {
				valid = int64(next)
			}
			off = next
			continue
		}
		rec, torn, err := parseRecord(line)
		if err == nil && !whole {
			torn, err = true, errors.New("the line has no end")
		}
		if err != nil {
			if torn && len(bytes.TrimSpace(b[next:])) == 0 {
				break // an append cut short by a crash: that step was never reported done
			}
			return 0, fmt.Errorf("journal %q is damaged at line %d: %v; the state file itself is intact: "+
				"move the journal aside to go on without the steps it records, then run \"dialtone refresh\"", path, lineNo, err)
		}
		if rec.Lineage == s.Lineage && rec.Serial == s.Serial {
			changes, err := decodeChanges(rec.Changes)
			if err != nil {
				return 0, fmt.Errorf("journal %q, line %d: %v (written by a newer dialtone?)", path, lineNo, err)
			}
			if err := ReplayChanges(s, changes, r); err != nil {
				return 0, fmt.Errorf("journal %q, line %d is refused: %v. It was not written by dialtone's apply; the state file itself is intact: "+
					"move the journal aside to go on without it, then run \"dialtone refresh\"", path, lineNo, err)
			}
		}
		valid = int64(next)
		off = next
	}
	return valid, nil
}

// parseRecord decodes one journal line. torn says the line looks cut short or garbled
// (bad JSON, checksum mismatch) rather than well-formed but not understood.
func parseRecord(line []byte) (rec journalRecord, torn bool, err error) {
	if !json.Valid(line) {
		return rec, true, errors.New("not a whole JSON record")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, false, fmt.Errorf("not a journal record: %s", trimJSON(err))
	}
	if rec.Lineage == "" || rec.Changes == nil {
		return rec, false, errors.New("not a journal record: lineage or changes missing")
	}
	if crc32.ChecksumIEEE(rec.Changes) != rec.CRC32 {
		return rec, true, errors.New("checksum mismatch")
	}
	return rec, false, nil
}

// decodeChanges decodes a record's changes strictly: a change kind this dialtone does
// not know must not be skipped silently.
func decodeChanges(raw []byte) ([]Change, error) {
	var changes []Change
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&changes); err != nil {
		return nil, fmt.Errorf("changes not understood: %s", trimJSON(err))
	}
	return changes, nil
}

func trimJSON(err error) string {
	return string(bytes.TrimPrefix([]byte(err.Error()), []byte("json: ")))
}
