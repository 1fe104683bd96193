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
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

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
	// AcceptUnsealed lets Read return a stored document without its checksum line
	// instead of refusing it with *state.UnsealedError.
	AcceptUnsealed bool
	// BeforeJournalCommit is for tests: when set, it runs inside every AppendJournal
	// after the row is inserted and before the transaction commits, so that a test can
	// kill the process there (a journal write cut short: the server rolls the row back).
	BeforeJournalCommit func()
	// Limits bound the document and the journal rows read; zero fields are the defaults.
	Limits state.Limits
	// User names who takes the lock in its LockInfo; empty: the current OS user.
	User string
}

// Backend is the PostgreSQL state backend. It implements state.Backend and is safe for
// concurrent use (parallel steps append to the journal at once).
type Backend struct {
	cfg     *pgx.ConnConfig
	secrets []string // strings scrubbed out of every error
	schema  string
	opts    Options
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
	replay  state.Replay
	nextSeq int64
}

var (
	_ state.Backend         = (*Backend)(nil)
	_ state.JournalReporter = (*Backend)(nil)
	_ state.LockTakeover    = (*Backend)(nil)
	_ state.Closer          = (*Backend)(nil)
	_ state.ExactWriter     = (*Backend)(nil)
	_ state.ReportStore     = (*Backend)(nil)
	_ state.ReportLister    = (*Backend)(nil)
)

// New returns the backend for the schema of the database that connStr reaches (a URL
// or key=value string, as libpq reads them; PG* variables and ~/.pgpass apply). It
// parses connStr but does not connect. Each method takes its caller's context (see
// state.Backend: reads and lock waits stop with it, writes do not).
func New(connStr, schema string, opts Options) (*Backend, error) {
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
		key:     int64(h.Sum64()),
	}, nil
}

// Schema returns the schema holding the state.
func (b *Backend) Schema() string { return b.schema }

// JournalReplay says what the last Read replayed from the journal rows.
func (b *Backend) JournalReplay() state.Replay {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.replay
}

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

// opCtx bounds one database operation of the caller's ctx by Options.Timeout.
func (b *Backend) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opts.Timeout)
}

// recording is ctx for an operation that records work already done (a write, a
// journal row, a report, the lock's release): ctx's values without its cancellation,
// so that an interrupted apply still records what it finished (see state.Backend).
func recording(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (b *Backend) connect(ctx context.Context) (*pgx.Conn, error) {
	octx, cancel := b.opCtx(ctx)
	defer cancel()
	conn, err := pgx.ConnectConfig(octx, b.cfg.Copy())
	if err != nil {
		if ctx.Err() != nil {
			return nil, state.Stopped(ctx, "connect to "+b.Where())
		}
		return nil, b.errorf("connect to %s: %w", b.Where(), err)
	}
	return conn, nil
}

// withConn runs fn on the lock holder's session, or on a connection of its own when
// the lock is not held. b.mu must be held. An error after ctx ended says so (and
// wraps ctx's error) rather than the driver's.
func (b *Backend) withConn(ctx context.Context, fn func(ctx context.Context, conn *pgx.Conn) error) error {
	conn := b.conn
	if conn == nil {
		c, err := b.connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		conn = c
	}
	octx, cancel := b.opCtx(ctx)
	defer cancel()
	err := fn(octx, conn)
	if err != nil && ctx.Err() != nil {
		return state.Stopped(ctx, b.Where())
	}
	return err
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
