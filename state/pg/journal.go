package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dialtone/dialtone/state"
)

// AppendJournal inserts one journal row holding changes, against the lineage and
// serial of the state last read or written, in its own transaction (committed before
// it returns). No changes, no row.
func (b *Backend) AppendJournal(ctx context.Context, changes []state.Change) error {
	if len(changes) == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stored {
		return errors.New("append to the journal: read or write the state first (the journal records the stored state's serial)")
	}
	raw, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("append to the journal: %w", err)
	}
	seq := b.nextSeq
	err = b.withConn(recording(ctx), func(ctx context.Context, conn *pgx.Conn) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return b.errorf("append to the journal in %s: %w", b.Where(), err)
		}
		defer tx.Rollback(context.Background())
		if err := b.checkLock(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+b.table("journal")+` (lineage, serial, seq, changes, crc32) VALUES ($1, $2, $3, $4, $5)`,
			b.lineage, int64(b.serial), seq, raw, int64(crc32.ChecksumIEEE(raw))); err != nil {
			return b.errorf("append to the journal in %s: %w", b.Where(), err)
		}
		if b.opts.BeforeJournalCommit != nil {
			b.opts.BeforeJournalCommit()
		}
		if err := tx.Commit(ctx); err != nil {
			return b.errorf("append to the journal in %s: %w", b.Where(), err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.nextSeq++
	return nil
}

// decodeChanges decodes a row's changes strictly, as the local journal does.
func decodeChanges(raw []byte) ([]state.Change, error) {
	var changes []state.Change
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&changes); err != nil {
		return nil, fmt.Errorf("changes not understood: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return changes, nil
}
