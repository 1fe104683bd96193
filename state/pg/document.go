package pg

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dialtone/dialtone/state"
)

// Read returns the stored state with the journal rows of its lineage and serial
// replayed onto it, or (nil, state.ErrNoState).
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var st *state.State
	var replay state.Replay
	var maxSeq int64
	err := b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		exists, err := b.tablesExist(ctx, conn)
		if err != nil {
			return err
		}
		if !exists {
			return state.ErrNoState
		}
		// The sizes first, so that a document or journal over its limit is refused
		// before it is fetched into memory.
		maxState, maxJournal := b.opts.Limits.MaxStateBytes(), b.opts.Limits.MaxJournalBytes()
		var docSize int64
		var doc []byte
		err = conn.QueryRow(ctx, `SELECT octet_length(document), CASE WHEN octet_length(document) <= $1 THEN document END FROM `+
			b.table("state")+` WHERE id`, maxState).Scan(&docSize, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return state.ErrNoState
		}
		if err != nil {
			return b.errorf("read the state from %s: %w", b.Where(), err)
		}
		if docSize > maxState {
			return &state.LimitError{What: "the state in " + b.table("state"), Size: docSize, Limit: maxState, Env: state.EnvMaxStateBytes}
		}
		s, derr := state.Decode(doc)
		if derr != nil {
			return b.damaged(ctx, conn, derr)
		}
		if s.Unsealed && !b.opts.AcceptUnsealed {
			return &state.UnsealedError{Where: b.Where()}
		}
		var journalSize int64
		if err := conn.QueryRow(ctx, `SELECT coalesce(sum(octet_length(changes)), 0)::bigint FROM `+b.table("journal")+
			` WHERE lineage = $1 AND serial = $2`, s.Lineage, int64(s.Serial)).Scan(&journalSize); err != nil {
			return b.errorf("read the journal from %s: %w", b.Where(), err)
		}
		if journalSize > maxJournal {
			return &state.LimitError{What: "the journal rows in " + b.table("journal"), Size: journalSize, Limit: maxJournal, Env: state.EnvMaxJournalBytes}
		}
		rows, err := conn.Query(ctx, `SELECT seq, changes, crc32 FROM `+b.table("journal")+
			` WHERE lineage = $1 AND serial = $2 ORDER BY seq`, s.Lineage, int64(s.Serial))
		if err != nil {
			return b.errorf("read the journal from %s: %w", b.Where(), err)
		}
		defer rows.Close()
		for rows.Next() {
			var seq, sum int64
			var raw []byte
			if err := rows.Scan(&seq, &raw, &sum); err != nil {
				return b.errorf("read the journal from %s: %w", b.Where(), err)
			}
			if uint32(sum) != crc32.ChecksumIEEE(raw) || sum < 0 || sum > 0xffffffff {
				return fmt.Errorf("journal row (lineage %s, serial %d, seq %d) in %s is damaged: checksum mismatch; the state itself is intact: "+
					"delete the journal rows of serial %d to go on without the steps they record, then run \"dialtone refresh\"",
					s.Lineage, s.Serial, seq, b.table("journal"), s.Serial)
			}
			changes, err := decodeChanges(raw)
			if err != nil {
				return fmt.Errorf("journal row (lineage %s, serial %d, seq %d) in %s: %v (written by a newer dialtone?)",
					s.Lineage, s.Serial, seq, b.table("journal"), err)
			}
			if err := state.ReplayChanges(s, changes, &replay); err != nil {
				return fmt.Errorf("journal row (lineage %s, serial %d, seq %d) in %s is refused: %v. It was not written by dialtone's apply; the state itself is intact: "+
					"delete the journal rows of serial %d to go on without it, then run \"dialtone refresh\"",
					s.Lineage, s.Serial, seq, b.table("journal"), err, s.Serial)
			}
			maxSeq = seq
		}
		if err := rows.Err(); err != nil {
			return b.errorf("read the journal from %s: %w", b.Where(), err)
		}
		st = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.stored, b.lineage, b.serial = true, st.Lineage, st.Serial
	b.pending, b.replay, b.nextSeq = replay.Steps, replay, maxSeq+1
	return st, nil
}

// damaged explains a stored document that state.Decode refused, naming the newest
// backup row that reads back whole and the SQL that restores it.
func (b *Backend) damaged(ctx context.Context, conn *pgx.Conn, derr error) error {
	var ve *state.VersionError
	if errors.As(derr, &ve) {
		return fmt.Errorf("the state in %s: %w", b.table("state"), derr)
	}
	// A backup over the size limit is not fetched (its document reads as NULL: not good).
	rows, err := conn.Query(ctx, `SELECT version, serial, saved_at, CASE WHEN octet_length(document) <= $1 THEN document END FROM `+
		b.table("state_backups")+` ORDER BY version DESC`, b.opts.Limits.MaxStateBytes())
	if err != nil {
		return b.errorf("the state in %s is damaged: %v; listing its backups failed too: %w", b.table("state"), derr, err)
	}
	defer rows.Close()
	var older []string
	good, goodVersion := "", int64(0)
	for rows.Next() {
		var version, serial int64
		var saved time.Time
		var doc []byte
		if err := rows.Scan(&version, &serial, &saved, &doc); err != nil {
			return b.errorf("the state in %s is damaged: %v; listing its backups failed too: %w", b.table("state"), derr, err)
		}
		if good != "" {
			older = append(older, fmt.Sprintf("%d", version))
			continue
		}
		if _, err := state.Decode(doc); err == nil {
			good = fmt.Sprintf("version %d (serial %d, saved %s) in %s", version, serial, saved.UTC().Format(time.RFC3339), b.table("state_backups"))
			goodVersion = version
		}
	}
	if err := rows.Err(); err != nil {
		return b.errorf("the state in %s is damaged: %v; listing its backups failed too: %w", b.table("state"), derr, err)
	}
	if good == "" {
		return fmt.Errorf("the state in %s is damaged: %v; no backup row in %s reads back as a whole state: restore the state from your own copies with \"dialtone state push -force FILE\"",
			b.table("state"), derr, b.table("state_backups"))
	}
	msg := fmt.Sprintf("the state in %s is damaged: %v; the newest good backup is %s", b.table("state"), derr, good)
	if len(older) > 0 {
		msg += " (older backup versions: " + strings.Join(older, ", ") + ")"
	}
	msg += fmt.Sprintf(". Check it (SELECT convert_from(document, 'UTF8') FROM %s WHERE version = %d), then restore it with this SQL: "+
		"UPDATE %s SET (lineage, serial, document, written_at) = (SELECT lineage, serial, document, now() FROM %s WHERE version = %d) WHERE id;",
		b.table("state_backups"), goodVersion, b.table("state"), b.table("state_backups"), goodVersion)
	return errors.New(msg)
}

// Write raises s.Serial by one and, in one transaction, moves the stored document to
// state_backups (keeping the newest Options.Backups), stores s and empties the
// journal. It refuses a state of another lineage than the stored one, and a write by a
// process whose lock was cleared by force-unlock. On failure s.Serial is restored.
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	return b.writeState(recording(ctx), s, true)
}

// WriteExact is Write keeping s.Serial as it is (see state.ExactWriter).
func (b *Backend) WriteExact(ctx context.Context, s *state.State) error {
	return b.writeState(recording(ctx), s, false)
}

func (b *Backend) writeState(ctx context.Context, s *state.State, bump bool) error {
	if s == nil {
		return errors.New("write the state: the state is nil")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.Lineage == "" {
		return errors.New("write the state: the state has no lineage (create it with state.New(state.NewLineage()))")
	}
	if b.stored && s.Lineage != b.lineage {
		return fmt.Errorf("write the state to %s: the state's lineage %s differs from the stored state's %s: refusing to overwrite another state",
			b.Where(), s.Lineage, b.lineage)
	}
	s.FormatVersion = state.FormatVersion
	if bump {
		s.Serial++
	}
	doc, err := state.Encode(s)
	if err == nil {
		err = b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error { return b.write(ctx, conn, s, doc) })
	}
	if err != nil {
		if bump {
			s.Serial--
		}
		return err
	}
	b.stored, b.lineage, b.serial = true, s.Lineage, s.Serial
	b.pending, b.replay, b.nextSeq = 0, state.Replay{}, 1
	return nil
}

func (b *Backend) write(ctx context.Context, conn *pgx.Conn, s *state.State, doc []byte) error {
	if err := b.ensureSchema(ctx, conn); err != nil {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return b.errorf("write the state to %s: %w", b.Where(), err)
	}
	defer tx.Rollback(context.Background())
	if err := b.checkLock(ctx, tx); err != nil {
		return err
	}
	var oldLineage string
	var oldSerial int64
	var oldDoc []byte
	err = tx.QueryRow(ctx, `SELECT lineage, serial, document FROM `+b.table("state")+` WHERE id FOR UPDATE`).Scan(&oldLineage, &oldSerial, &oldDoc)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return b.errorf("write the state to %s: %w", b.Where(), err)
	default:
		if b.stored && oldLineage != s.Lineage {
			return fmt.Errorf("write the state to %s: the stored state's lineage is now %s, not %s: refusing to overwrite another state",
				b.Where(), oldLineage, s.Lineage)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+b.table("state_backups")+` (lineage, serial, document) VALUES ($1, $2, $3)`,
			oldLineage, oldSerial, oldDoc); err != nil {
			return b.errorf("write the state to %s: back up the previous version: %w", b.Where(), err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+b.table("state_backups")+` WHERE version NOT IN (SELECT version FROM `+
			b.table("state_backups")+` ORDER BY version DESC LIMIT $1)`, b.opts.Backups); err != nil {
			return b.errorf("write the state to %s: drop old backups: %w", b.Where(), err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+b.table("state")+` (id, lineage, serial, document, written_at) VALUES (true, $1, $2, $3, now())
		ON CONFLICT (id) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial, document = EXCLUDED.document, written_at = now()`,
		s.Lineage, int64(s.Serial), doc); err != nil {
		return b.errorf("write the state to %s: %w", b.Where(), err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+b.table("journal")); err != nil {
		return b.errorf("write the state to %s: fold the journal: %w", b.Where(), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return b.errorf("write the state to %s: %w", b.Where(), err)
	}
	return nil
}
