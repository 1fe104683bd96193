package lab

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// writeRecords is how every change reaches a mounted database: appended to the current
// log generation and made durable first, then applied to the .edb, whose checkpoint
// then covers every generation before the current one.
func (s *session) writeRecords(db *databaseObj, recs []logRecord) error {
	_, _, err := s.writeRecordsAt(db, recs, false)
	return err
}

// writeRecordsAt is writeRecords that also reports, with track, the log signature and
// the generation each record was written to (the ledger keeps it for deliveries). When
// the server's disk cannot take the log bytes, a mounted database stops cleanly on its
// reserve logs: it is dismounted (Clean Shutdown) and the error is a diskFullError.
func (s *session) writeRecordsAt(db *databaseObj, recs []logRecord, track bool) (string, []uint64, error) {
	if len(recs) == 0 {
		return "", nil, nil
	}
	path, err := s.edbPath(db)
	if err != nil {
		return "", nil, err
	}
	folder, err := s.logFolder(db)
	if err != nil {
		return "", nil, err
	}
	h, err := s.header(path)
	if err != nil {
		return "", nil, err
	}
	if err := s.logRoom(db, h, recs); err != nil {
		if db.Mounted && isDiskFull(err) {
			if serr := s.shutDown(db); serr != nil {
				return "", nil, fmt.Errorf("%v; and %s could not stop cleanly: %v", err, db.Name, serr)
			}
			db.Mounted = false
			if serr := s.saveOrg(); serr != nil {
				return "", nil, serr
			}
			return "", nil, fmt.Errorf("database %s dismounted (its log volume is full; the reserve logs let it stop cleanly): %w", db.Name, err)
		}
		return "", nil, err
	}
	w, err := openLogWriter(folder, h.LogPrefix, h.LogSignature, h.Checkpoint, false, s.l.opts.Limits)
	if err != nil {
		return "", nil, fmt.Errorf("log of %s: %w", db.Name, err)
	}
	w.track = track
	if err := w.append(recs); err != nil {
		w.close()
		return "", nil, fmt.Errorf("log of %s: %w", db.Name, err)
	}
	if err := w.close(); err != nil {
		return "", nil, err
	}
	e, err := s.openEDBPath(path, false)
	if err != nil {
		return "", nil, err
	}
	return h.LogSignature, w.gens, e.Update(func(tx *bolt.Tx) error {
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

// logRoom checks that db's server can take the log bytes of recs (with the headers of
// the generations they start).
func (s *session) logRoom(db *databaseObj, h *edbHeader, recs []logRecord) error {
	if srv := s.org.server(db.Server); srv == nil || srv.CapacityBytes <= 0 {
		return nil
	}
	need := int64(len(logHeader(h.LogPrefix, 0, h.LogSignature))) * int64(len(recs)/recordsPerGeneration+1)
	for _, r := range recs {
		line, err := encodeRecord(r)
		if err != nil {
			return err
		}
		need += int64(len(line))
	}
	return s.needRoom(db.Server, need)
}

// roll starts a new log generation for the file at path (at mount, after a backup).
func (s *session) roll(path, folder string) error {
	h, err := s.header(path)
	if err != nil {
		return err
	}
	if err := s.needRoom(s.serverOfPath(path), int64(len(logHeader(h.LogPrefix, 0, h.LogSignature)))); err != nil {
		return err
	}
	w, err := openLogWriter(folder, h.LogPrefix, h.LogSignature, h.Checkpoint, true, s.l.opts.Limits)
	if err != nil {
		return err
	}
	if s.bulk { // Generate syncs the whole folder once at its end
		err := w.f.Close()
		w.unsynced, w.f = nil, nil // closed at their roll
		if err != nil {
			return err
		}
	} else if err := w.close(); err != nil {
		return err
	}
	if !s.bulk {
		if err := syncDir(folder); err != nil {
			return err
		}
	}
	cp := max(h.Checkpoint, w.gen-1)
	if err := s.updateHeader(path, func(h *edbHeader) { h.Checkpoint = cp }); err != nil {
		return err
	}
	if s.bulk {
		return os.WriteFile(checkpointPath(folder, h.LogPrefix), checkpointLine(cp), 0o600)
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
			return applied, &replayStop{Gen: expect, err: fmt.Errorf("log generation %d (%s) is missing from %s: replay stopped after generation %d; generations from %d on cannot be applied",
				expect, logFileName(h.LogPrefix, expect), folder, expect-1, g)}
		}
		lf, err := readLog(files[g], s.l.opts.Limits)
		if errors.Is(err, errTornTail) && i < len(gens)-1 {
			err = fmt.Errorf("log file %s is damaged: %v", files[g], err)
		} else if errors.Is(err, errTornTail) {
			err = nil // the tail was never acknowledged; the records before it count
		}
		if err != nil {
			return applied, &replayStop{Gen: g, err: fmt.Errorf("replay stopped at log generation %d: %w", g, err)}
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
	// Generations an injected failure destroyed past the end are the missing tail that
	// ESE notices (the current log is gone): the replay cannot finish without /a.
	if d, err := s.destroyedLogs(h.LogSignature); err != nil {
		return applied, err
	} else if g, ok := d.after(expect - 1); ok {
		return applied, &replayStop{Gen: expect, err: fmt.Errorf("log generations %d to %d (%s on) of %s are missing: the log stream was written up to generation %d, and replay stopped after generation %d; find the logs, or accept losing them (eseutil /r /a, accept_data_loss)",
			expect, g, logFileName(h.LogPrefix, expect), d.Database, g, expect-1)}
	}
	return applied, nil
}

// replayStop is a replay that stopped at generation Gen because it is missing or
// damaged: what eseutil /r /a accepts to lose. Logs of another stream are not one.
type replayStop struct {
	Gen uint64
	err error
}

func (e *replayStop) Error() string { return e.err.Error() }
func (e *replayStop) Unwrap() error { return e.err }

// newestGeneration is the newest generation of prefix in folder (0 if none).
func newestGeneration(folder, prefix string) (uint64, error) {
	gens, _, err := listLogs(folder, prefix)
	if err != nil || len(gens) == 0 {
		return 0, err
	}
	return gens[len(gens)-1], nil
}
