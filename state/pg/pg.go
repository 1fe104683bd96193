// Package pg is the PostgreSQL state backend: the state a team shares.
//
// Everything lives in one schema (default "dialtone"), created on first use:
//
//   - state: one row, the state document exactly as state.Encode writes it (bytea, so
//     the checksum line holds as for a file) with its lineage and serial;
//   - state_backups: the previous versions, the newest Options.Backups kept;
//   - journal: one row per finished step of a running apply, keyed by (lineage, serial,
//     seq), inserted in its own transaction; folded into state by Write, in the same
//     transaction that writes the new document;
//   - lock: one row saying who holds the lock (state.LockInfo as JSON), or nobody;
//   - reports: dialtone's run reports (reports.go).
//
// The lock itself is a session advisory lock (pg_try_advisory_lock) on a key derived
// from the schema name, taken on a dedicated connection that the holder keeps for the
// whole operation and uses for every read and write it makes. The server releases a
// session lock when the session ends, however it ends (the process killed, the machine
// lost, the connection cut), so the lock needs no lease: it lives exactly as long as
// the holder can write. A holder whose connection is gone cannot write either (its
// writes went through that connection), so a lock that the server released is free
// even if the holder process still runs. When the advisory lock is free but the row
// still names a holder, that holder died: Lock replaces the row (ReplacedLock says
// whose it was).
//
// Every locker goes through a row lock on the lock row (SELECT ... FOR UPDATE) before
// it tries the advisory lock, so a locker that loses always reads the winner's row, not
// the one before it.
//
// The connection string is a credential: no error of this package contains it or its
// password (see scrub).
package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dialtone/dialtone/state"
)

// DefaultSchema is the schema used when none is configured.
const DefaultSchema = "dialtone"

// Options are the settings of a Backend.
type Options struct {
	// Backups is how many previous versions of the state to keep in state_backups.
	// Zero or less means state.DefaultBackups.
	Backups int
	// Timeout bounds each database round trip (connecting included). Zero means 30s.
	Timeout time.Duration
}

// Backend is the PostgreSQL state backend. It implements state.Backend and is safe for
// concurrent use (parallel steps append to the journal at once).
type Backend struct {
	cfg     *pgx.ConnConfig
	secrets []string // strings scrubbed out of every error
	schema  string
	opts    Options
	ctx     context.Context
	key     int64 // the advisory lock's key

	mu sync.Mutex
	// conn is the lock holder's session, used for every operation while the lock is
	// held; nil otherwise (each operation then opens and closes its own).
	conn     *pgx.Conn
	lockID   string
	replaced *state.LockInfo

	stored  bool
	lineage string
	serial  uint64
	pending int
	nextSeq int64

	// beforeJournalCommit, when set, runs inside AppendJournal after the row is
	// inserted and before its transaction commits (SetBeforeJournalCommit).
	beforeJournalCommit func()
}

var _ state.Backend = (*Backend)(nil)

// New returns the backend for the schema of the database that connStr reaches (a URL
// or key=value string, as libpq reads them; PG* variables and ~/.pgpass apply). It
// parses connStr but does not connect. ctx carries values only: the backend's work is
// not cancelled with it, so that an interrupted apply still records its state.
func New(ctx context.Context, connStr, schema string, opts Options) (*Backend, error) {
	secrets := connSecrets(connStr)
	if strings.TrimSpace(connStr) == "" {
		return nil, errors.New("pg backend: no connection string: set conn_str in the backend block or DIALTONE_PG_CONN_STR")
	}
	if schema == "" {
		schema = DefaultSchema
	}
	cfg, err := pgx.ParseConfig(connStr)
	if err != nil {
		return nil, scrubErr(secrets, fmt.Errorf("pg backend: the connection string does not parse: %w", err))
	}
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	if opts.Backups <= 0 {
		opts.Backups = state.DefaultBackups
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	h := fnv.New64a()
	h.Write([]byte("dialtone state lock\x00" + schema))
	return &Backend{
		cfg:     cfg,
		secrets: secrets,
		schema:  schema,
		opts:    opts,
		ctx:     context.WithoutCancel(ctx),
		key:     int64(h.Sum64()),
	}, nil
}

// Schema returns the schema holding the state.
func (b *Backend) Schema() string { return b.schema }

// Where describes the backend for messages: the server, database and schema, never
// the credentials.
func (b *Backend) Where() string {
	host := b.cfg.Host
	if strings.HasPrefix(host, "/") {
		host = "socket " + host
	}
	return fmt.Sprintf("pg database %q on %s:%d, schema %q", b.cfg.Database, host, b.cfg.Port, b.schema)
}

func (b *Backend) table(name string) string { return pgx.Identifier{b.schema, name}.Sanitize() }

// JournalPending returns how many finished steps the last Read replayed onto the state
// from the journal.
func (b *Backend) JournalPending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending
}

// ReplacedLock returns the holder whose lock row the last Lock replaced because its
// session had ended (the holder died), or nil.
func (b *Backend) ReplacedLock() *state.LockInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.replaced
}

// Close closes the lock holder's connection if the lock was never released (the
// server then drops the lock). Normally the unlock func does this.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		err := b.conn.Close(context.Background())
		b.conn, b.lockID = nil, ""
		return b.scrub(err)
	}
	return nil
}

// opCtx bounds one database operation.
func (b *Backend) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.opts.Timeout)
}

func (b *Backend) connect() (*pgx.Conn, error) {
	ctx, cancel := b.opCtx()
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, b.cfg.Copy())
	if err != nil {
		return nil, b.errorf("connect to %s: %w", b.Where(), err)
	}
	return conn, nil
}

// withConn runs fn on the lock holder's session, or on a connection of its own when
// the lock is not held. b.mu must be held.
func (b *Backend) withConn(fn func(ctx context.Context, conn *pgx.Conn) error) error {
	conn := b.conn
	if conn == nil {
		c, err := b.connect()
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		conn = c
	}
	ctx, cancel := b.opCtx()
	defer cancel()
	return fn(ctx, conn)
}

// ensureSchema creates the schema and its tables when they do not exist yet. Two
// first users at once serialise on a transaction advisory lock.
func (b *Backend) ensureSchema(ctx context.Context, conn *pgx.Conn) error {
	exists, err := b.tablesExist(ctx, conn)
	if err != nil || exists {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return b.errorf("create the state tables in %s: %w", b.Where(), err)
	}
	defer tx.Rollback(context.Background())
	ddl := []string{
		`SELECT pg_advisory_xact_lock($1)`,
		`CREATE SCHEMA IF NOT EXISTS ` + pgx.Identifier{b.schema}.Sanitize(),
		`CREATE TABLE IF NOT EXISTS ` + b.table("state") + ` (
			id boolean PRIMARY KEY DEFAULT true CHECK (id),
			lineage text NOT NULL,
			serial bigint NOT NULL,
			document bytea NOT NULL,
			written_at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE IF NOT EXISTS ` + b.table("state_backups") + ` (
			version bigserial PRIMARY KEY,
			lineage text NOT NULL,
			serial bigint NOT NULL,
			document bytea NOT NULL,
			saved_at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE IF NOT EXISTS ` + b.table("journal") + ` (
			lineage text NOT NULL,
			serial bigint NOT NULL,
			seq bigint NOT NULL,
			changes bytea NOT NULL,
			crc32 bigint NOT NULL,
			written_at timestamptz NOT NULL DEFAULT now(),
			PRIMARY KEY (lineage, serial, seq))`,
		`CREATE TABLE IF NOT EXISTS ` + b.table("lock") + ` (
			id boolean PRIMARY KEY DEFAULT true CHECK (id),
			lock_id text,
			info jsonb,
			backend_pid integer)`,
		b.reportsDDL(),
		`INSERT INTO ` + b.table("lock") + ` (id) VALUES (true) ON CONFLICT DO NOTHING`,
	}
	for i, q := range ddl {
		var err error
		if i == 0 {
			_, err = tx.Exec(ctx, q, b.key^0x5ca1ab1e)
		} else {
			_, err = tx.Exec(ctx, q)
		}
		if err != nil {
			return b.errorf("create the state tables in %s: %w", b.Where(), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return b.errorf("create the state tables in %s: %w", b.Where(), err)
	}
	return nil
}

// tablesExist reports whether the schema's tables were created (the lock table is
// created last).
func (b *Backend) tablesExist(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var reg *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, b.table("lock")).Scan(&reg); err != nil {
		return false, b.errorf("look for the state tables in %s: %w", b.Where(), err)
	}
	return reg != nil, nil
}

// Lock takes the state lock for operation: the advisory lock on a session kept open
// until unlock, and the lock row naming this process. A lock held by a live session is
// a *state.LockError naming the holder from the row; nothing is written then.
//
// A holder that died on this host a moment ago (its PID is gone) still holds the
// advisory lock until the server notices that its connection closed, which takes a
// few milliseconds (longer when it died inside a transaction that must be rolled
// back): Lock then waits for it, up to deadHolderWait, instead of reporting a lock
// that is about to be free.
func (b *Backend) Lock(operation string) (unlock func() error, err error) {
	deadline := time.Now().Add(deadHolderWait)
	for {
		unlock, err := b.tryLock(operation)
		var le *state.LockError
		if err == nil || !errors.As(err, &le) || !le.Gone || time.Now().After(deadline) {
			return unlock, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deadHolderWait bounds how long Lock waits for the server to end the session of a
// holder that died on this host.
const deadHolderWait = 10 * time.Second

func (b *Backend) tryLock(operation string) (unlock func() error, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		return nil, errors.New("pg backend: the lock is already held by this process")
	}
	conn, err := b.connect()
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			conn.Close(context.Background())
		}
	}()
	ctx, cancel := b.opCtx()
	defer cancel()
	if err := b.ensureSchema(ctx, conn); err != nil {
		return nil, err
	}
	info := state.NewLockInfo(operation, b.table("lock")+" in "+b.Where())
	info.Created = info.Created.Truncate(time.Microsecond) // what timestamptz keeps

	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	defer tx.Rollback(context.Background())
	// The row lock first: lockers take turns here, so a loser reads the winner's row.
	var prevRaw []byte
	var prevPID *int32
	if err := tx.QueryRow(ctx, `SELECT info, backend_pid FROM `+b.table("lock")+` WHERE id FOR UPDATE`).Scan(&prevRaw, &prevPID); err != nil {
		return nil, b.errorf("take the lock: read the lock row: %w", err)
	}
	var got bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.key).Scan(&got); err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	if !got {
		return nil, b.heldBy(prevRaw)
	}
	// From here the session holds the advisory lock: a failure must release it, which
	// closing the connection (deferred) does.
	var prev *state.LockInfo
	if prevRaw != nil {
		var p state.LockInfo
		if json.Unmarshal(prevRaw, &p) == nil {
			prev = &p // its session ended without releasing: the holder died
		}
	}
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = $1, info = $2, backend_pid = pg_backend_pid() WHERE id`,
		info.ID, raw); err != nil {
		return nil, b.errorf("take the lock: write the lock row: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, b.errorf("take the lock: %w", err)
	}
	keep = true
	b.conn, b.lockID, b.replaced = conn, info.ID, prev
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() { uerr = b.release(conn, info.ID) })
		return uerr
	}, nil
}

// heldBy is the LockError for a lock held by a live session, from the row it wrote.
func (b *Backend) heldBy(raw []byte) error {
	var info state.LockInfo
	if raw == nil || json.Unmarshal(raw, &info) != nil || info.ID == "" {
		info = state.LockInfo{Who: "another session (its lock row was cleared by force-unlock or is unreadable)"}
	}
	if info.Path == "" {
		info.Path = b.table("lock") + " in " + b.Where()
	}
	le := &state.LockError{Info: info, Now: time.Now()}
	if host, _ := os.Hostname(); info.PID > 0 && info.Host != "" && info.Host == host && processGone(info.PID) {
		// Its session outlives it for a moment: Lock waits for the server to end it.
		le.Gone, le.Stale = true, true
	}
	return le
}

// release clears the lock row if it is still ours, releases the advisory lock and
// closes the session.
func (b *Backend) release(conn *pgx.Conn, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != conn {
		return nil // closed already
	}
	ctx, cancel := b.opCtx()
	defer cancel()
	var errs []error
	if _, err := conn.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = NULL, info = NULL, backend_pid = NULL WHERE id AND lock_id = $1`, id); err != nil {
		errs = append(errs, b.errorf("release the lock: clear the lock row: %w", err))
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.key); err != nil {
		errs = append(errs, b.errorf("release the lock: %w", err))
	}
	if err := conn.Close(context.Background()); err != nil {
		errs = append(errs, b.errorf("release the lock: close the session: %w", err))
	}
	b.conn, b.lockID = nil, ""
	return errors.Join(errs...)
}

// ForceUnlock clears the lock row when its ID is id and the session that took it is
// gone. A live session's lock cannot be broken from here: the error says which server
// process holds it (pg_terminate_backend ends it).
func (b *Backend) ForceUnlock(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		exists, err := b.tablesExist(ctx, conn)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("no lock is held (%s has no state tables)", b.Where())
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		defer tx.Rollback(context.Background())
		var lockID *string
		var raw []byte
		var pid *int32
		if err := tx.QueryRow(ctx, `SELECT lock_id, info, backend_pid FROM `+b.table("lock")+` WHERE id FOR UPDATE`).Scan(&lockID, &raw, &pid); err != nil {
			return b.errorf("force-unlock: read the lock row: %w", err)
		}
		if lockID == nil {
			return fmt.Errorf("no lock is held (the lock row in %s names no holder)", b.table("lock"))
		}
		var info state.LockInfo
		_ = json.Unmarshal(raw, &info)
		if *lockID != id {
			return fmt.Errorf("lock ID %q does not match the lock held: its ID is %s (held by %s, pid %d, for %q)",
				id, *lockID, info.Who, info.PID, info.Operation)
		}
		var free bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, b.key).Scan(&free); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		if !free {
			spid := 0
			if pid != nil {
				spid = int(*pid)
			}
			return fmt.Errorf("the lock %s is held by a live session (server process %d, for %s, pid %d, %q): it ends when that session does; "+
				"if that dialtone is gone but its connection lingers, end it with SELECT pg_terminate_backend(%d)",
				id, spid, info.Who, info.PID, info.Operation, spid)
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_unlock($1)`, b.key); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE `+b.table("lock")+` SET lock_id = NULL, info = NULL, backend_pid = NULL WHERE id`); err != nil {
			return b.errorf("force-unlock: clear the lock row: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return b.errorf("force-unlock: %w", err)
		}
		return nil
	})
}

// Read returns the stored state with the journal rows of its lineage and serial
// replayed onto it, or (nil, state.ErrNoState).
func (b *Backend) Read() (*state.State, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var st *state.State
	var pending int
	var maxSeq int64
	err := b.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		exists, err := b.tablesExist(ctx, conn)
		if err != nil {
			return err
		}
		if !exists {
			return state.ErrNoState
		}
		// The sizes first, so that a document or journal over its limit is refused
		// before it is fetched into memory.
		maxState, err := state.MaxStateBytes()
		if err != nil {
			return err
		}
		maxJournal, err := state.MaxJournalBytes()
		if err != nil {
			return err
		}
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
			for _, c := range changes {
				s.ApplyChange(c)
			}
			pending += state.FinishedSteps(changes)
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
	b.pending, b.nextSeq = pending, maxSeq+1
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
	maxState, err := state.MaxStateBytes()
	if err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT version, serial, saved_at, CASE WHEN octet_length(document) <= $1 THEN document END FROM `+
		b.table("state_backups")+` ORDER BY version DESC`, maxState)
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
func (b *Backend) Write(s *state.State) error {
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
	s.Serial++
	doc, err := state.Encode(s)
	if err == nil {
		err = b.withConn(func(ctx context.Context, conn *pgx.Conn) error { return b.write(ctx, conn, s, doc) })
	}
	if err != nil {
		s.Serial--
		return err
	}
	b.stored, b.lineage, b.serial = true, s.Lineage, s.Serial
	b.pending, b.nextSeq = 0, 1
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

// checkLock refuses to go on when this process holds the lock but its row no longer
// names it (force-unlock cleared it).
func (b *Backend) checkLock(ctx context.Context, tx pgx.Tx) error {
	if b.lockID == "" {
		return nil
	}
	var id *string
	if err := tx.QueryRow(ctx, `SELECT lock_id FROM `+b.table("lock")+` WHERE id`).Scan(&id); err != nil {
		return b.errorf("check the lock row: %w", err)
	}
	if id == nil || *id != b.lockID {
		return fmt.Errorf("the lock row in %s no longer names this process (lock %s was force-unlocked): refusing to write", b.table("lock"), b.lockID)
	}
	return nil
}

// AppendJournal inserts one journal row holding changes, against the lineage and
// serial of the state last read or written, in its own transaction (committed before
// it returns). No changes, no row.
func (b *Backend) AppendJournal(changes []state.Change) error {
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
	err = b.withConn(func(ctx context.Context, conn *pgx.Conn) error {
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
		if b.beforeJournalCommit != nil {
			b.beforeJournalCommit()
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

// SetBeforeJournalCommit is for tests only: f runs inside every AppendJournal after
// the row is inserted and before the transaction commits, so that a test can kill the
// process there (a journal write cut short: the server rolls the row back). nil
// removes it.
func (b *Backend) SetBeforeJournalCommit(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.beforeJournalCommit = f
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

// errorf formats an error and scrubs the credentials out of its text. The result does
// not wrap the cause (whose own text may hold them); only the SQLSTATE is kept.
func (b *Backend) errorf(format string, args ...any) error {
	return scrubErr(b.secrets, fmt.Errorf(format, args...))
}

func (b *Backend) scrub(err error) error {
	if err == nil {
		return nil
	}
	return scrubErr(b.secrets, err)
}

// Error is an error of this package: its text is scrubbed of credentials.
type Error struct {
	msg string
	// Code is the SQLSTATE of the server's error, if the cause was one.
	Code string
}

func (e *Error) Error() string { return e.msg }

var (
	passwordKV  = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
	passwordURL = regexp.MustCompile(`(?i)(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)`)
)

// scrubErr returns err's text with every secret replaced by "********", and any
// password in a connection string (key=value or URL) as well.
func scrubErr(secrets []string, err error) error {
	if err == nil {
		return nil
	}
	msg := scrubString(secrets, err.Error())
	e := &Error{msg: msg}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e.Code = pe.Code
	}
	return e
}

func scrubString(secrets []string, msg string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "********")
		}
	}
	msg = passwordKV.ReplaceAllString(msg, "${1}********")
	msg = passwordURL.ReplaceAllString(msg, "${1}********${3}")
	return msg
}

// connSecrets are the strings of connStr that must never be shown: the string itself
// and its password, however it is spelled.
func connSecrets(connStr string) []string {
	secrets := []string{connStr}
	if u, err := url.Parse(connStr); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	if m := passwordKV.FindStringSubmatch(connStr); m != nil {
		p := strings.Trim(m[2], "'")
		secrets = append(secrets, m[2], p)
	}
	return secrets
}
