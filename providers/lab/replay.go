package lab

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// writeRecords is how every change reaches a mounted database: appended to the current
// log generation and made durable first, then applied to the .edb, whose checkpoint
// then covers every generation before the current one.
func (s *session) writeRecords(db *databaseObj, recs []logRecord) error {
	if len(recs) == 0 {
		return nil
	}
	path, err := s.edbPath(db)
	if err != nil {
		return err
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return err
	}
	h, err := s.header(path)
	if err != nil {
		return err
	}
	w, err := openLogWriter(folder, h.LogPrefix, h.LogSignature, h.Checkpoint, false)
	if err != nil {
		return fmt.Errorf("log of %s: %w", db.Name, err)
	}
	if err := w.append(recs); err != nil {
		w.close()
		return fmt.Errorf("log of %s: %w", db.Name, err)
	}
	if err := w.close(); err != nil {
		return err
	}
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return err
	}
	return e.Update(func(tx *bolt.Tx) error {
		h, err := readHeader(tx)
		if err != nil {
			return fmt.Errorf("database file %s is damaged: %v", path, err)
		}
		if err := applyRecords(tx, recs); err != nil {
			return err
		}
		h.Checkpoint = max(h.Checkpoint, w.gen-1)
		h.State = stateDirty
		return putHeader(tx, h)
	})
}

// roll starts a new log generation for the file at path (at mount, after a backup).
func (s *session) roll(path, folder string) error {
	h, err := s.header(path)
	if err != nil {
		return err
	}
	w, err := openLogWriter(folder, h.LogPrefix, h.LogSignature, h.Checkpoint, true)
	if err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	if err := syncDir(folder); err != nil {
		return err
	}
	cp := max(h.Checkpoint, w.gen-1)
	if err := s.updateHeader(path, func(h *edbHeader) { h.Checkpoint = cp }); err != nil {
		return err
	}
	return writeCheckpointFile(folder, h.LogPrefix, cp)
}

// replay is soft recovery (eseutil /r): it applies the logs of the file's own stream
// (its prefix and log signature) found in folder past the checkpoint, in generation
// order. A missing generation, a damaged log or a log of another stream stops it with an
// error naming the generation; what was applied before stays applied. It returns the
// number of generations applied.
func (s *session) replay(path, folder string) (int, error) {
	h, err := s.header(path)
	if err != nil {
		return 0, err
	}
	if h.Corrupt {
		return 0, fmt.Errorf("database file %s: JET error -1018: page checksum mismatch", path)
	}
	gens, files, err := listLogs(folder, h.LogPrefix)
	if err != nil {
		return 0, err
	}
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return 0, err
	}
	expect, applied := h.Checkpoint+1, 0
	for i, g := range gens {
		if g <= h.Checkpoint {
			continue
		}
		if g != expect {
			return applied, fmt.Errorf("log generation %d (%s) is missing from %s: replay stopped after generation %d; generations from %d on cannot be applied",
				expect, logFileName(h.LogPrefix, expect), folder, expect-1, g)
		}
		lf, err := readLog(files[g])
		if errors.Is(err, errTornTail) && i < len(gens)-1 {
			err = fmt.Errorf("log file %s is damaged: %v", files[g], err)
		} else if errors.Is(err, errTornTail) {
			err = nil // the tail was never acknowledged; the records before it count
		}
		if err != nil {
			return applied, fmt.Errorf("replay stopped at log generation %d: %w", g, err)
		}
		if lf.Prefix != h.LogPrefix || lf.Generation != g {
			return applied, fmt.Errorf("replay stopped at log generation %d: file %s says it is %s generation %d", g, files[g], lf.Prefix, lf.Generation)
		}
		if lf.Signature != h.LogSignature {
			return applied, fmt.Errorf("replay stopped at log generation %d: %s belongs to another log stream (signature %s; the database needs %s)",
				g, files[g], lf.Signature, h.LogSignature)
		}
		err = e.Update(func(tx *bolt.Tx) error {
			hh, err := readHeader(tx)
			if err != nil {
				return fmt.Errorf("database file %s is damaged: %v", path, err)
			}
			if err := applyRecords(tx, lf.Records); err != nil {
				return fmt.Errorf("log file %s: %v", files[g], err)
			}
			hh.Checkpoint = g
			return putHeader(tx, hh)
		})
		if err != nil {
			return applied, err
		}
		expect++
		applied++
	}
	return applied, nil
}

// newestGeneration is the newest generation of prefix in folder (0 if none).
func newestGeneration(folder, prefix string) (uint64, error) {
	gens, _, err := listLogs(folder, prefix)
	if err != nil || len(gens) == 0 {
		return 0, err
	}
	return gens[len(gens)-1], nil
}
