package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Run reports (dialtone's incident reports of apply and drill) live in the table
// reports of the same schema, beside the state a team shares:
//
//	reports (id text PRIMARY KEY, time timestamptz, command text, result text,
//	         json jsonb, markdown text)
//
// time, command and result are copied from the report document's "started",
// "command" and "result" fields, so that a team can list them with SQL. The table is
// created on first use (also in a schema made before it existed). Reports are not
// under the state lock: each is written once, under an ID of its own.

func (b *Backend) reportsDDL() string {
	return `CREATE TABLE IF NOT EXISTS ` + b.table("reports") + ` (
			id text PRIMARY KEY,
			time timestamptz NOT NULL,
			command text NOT NULL,
			result text NOT NULL,
			json jsonb NOT NULL,
			markdown text NOT NULL)`
}

// PutReport stores a run report's JSON document and its Markdown under id, replacing
// a report of that ID.
func (b *Backend) PutReport(ctx context.Context, id string, jsonDoc, markdown []byte) error {
	var meta struct {
		Started time.Time `json:"started"`
		Command string    `json:"command"`
		Result  string    `json:"result"`
	}
	if err := json.Unmarshal(jsonDoc, &meta); err != nil {
		return fmt.Errorf("store report %s: the document is not a JSON object: %v", id, err)
	}
	if meta.Started.IsZero() {
		meta.Started = time.Now()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.withConn(recording(ctx), func(ctx context.Context, conn *pgx.Conn) error {
		fail := func(err error) error { return b.errorf("store report %s in %s: %w", id, b.Where(), err) }
		tx, err := conn.Begin(ctx)
		if err != nil {
			return fail(err)
		}
		defer tx.Rollback(context.Background())
		// The same transaction lock as ensureSchema: two first users create once.
		for _, q := range []string{`SELECT pg_advisory_xact_lock($1)`,
			`CREATE SCHEMA IF NOT EXISTS ` + pgx.Identifier{b.schema}.Sanitize(), b.reportsDDL()} {
			var args []any
			if strings.HasPrefix(q, "SELECT") {
				args = append(args, b.key^0x5ca1ab1e)
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fail(err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+b.table("reports")+` (id, time, command, result, json, markdown) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
			ON CONFLICT (id) DO UPDATE SET time = EXCLUDED.time, command = EXCLUDED.command, result = EXCLUDED.result, json = EXCLUDED.json, markdown = EXCLUDED.markdown`,
			id, meta.Started, meta.Command, meta.Result, string(jsonDoc), string(markdown)); err != nil {
			return fail(err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fail(err)
		}
		return nil
	})
}

// ReportIDs lists the stored reports' IDs, oldest first (IDs start with their time).
func (b *Backend) ReportIDs(ctx context.Context) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []string
	err := b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		ok, err := b.reportsExist(ctx, conn)
		if err != nil || !ok {
			return err
		}
		rows, err := conn.Query(ctx, `SELECT id FROM `+b.table("reports")+` ORDER BY id`)
		if err != nil {
			return b.errorf("list the reports in %s: %w", b.Where(), err)
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return b.errorf("list the reports in %s: %w", b.Where(), err)
		}
		return nil
	})
	return ids, err
}

// GetReport returns a report's JSON document; an error wrapping os.ErrNotExist when
// there is none.
func (b *Backend) GetReport(ctx context.Context, id string) ([]byte, error) {
	return b.getReport(ctx, id, "json::text")
}

// GetReportMarkdown returns a report's Markdown, as stored with it.
func (b *Backend) GetReportMarkdown(ctx context.Context, id string) ([]byte, error) {
	return b.getReport(ctx, id, "markdown")
}

func (b *Backend) getReport(ctx context.Context, id, column string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out string
	err := b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		ok, err := b.reportsExist(ctx, conn)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("report %q: %w", id, os.ErrNotExist)
		}
		err = conn.QueryRow(ctx, `SELECT `+column+` FROM `+b.table("reports")+` WHERE id = $1`, id).Scan(&out)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("report %q: %w", id, os.ErrNotExist)
		}
		if err != nil {
			return b.errorf("read report %s from %s: %w", id, b.Where(), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

func (b *Backend) reportsExist(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var reg *string
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, b.table("reports")).Scan(&reg); err != nil {
		return false, b.errorf("look for the reports table in %s: %w", b.Where(), err)
	}
	return reg != nil, nil
}

// ReportDocs returns every stored report's ID and JSON document, oldest first, in one
// round trip (what the estimates of a plan read).
func (b *Backend) ReportDocs(ctx context.Context) (ids []string, docs [][]byte, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	err = b.withConn(ctx, func(ctx context.Context, conn *pgx.Conn) error {
		ok, err := b.reportsExist(ctx, conn)
		if err != nil || !ok {
			return err
		}
		rows, err := conn.Query(ctx, `SELECT id, json::text FROM `+b.table("reports")+` ORDER BY id`)
		if err != nil {
			return b.errorf("read the reports in %s: %w", b.Where(), err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				return b.errorf("read the reports in %s: %w", b.Where(), err)
			}
			ids, docs = append(ids, id), append(docs, []byte(doc))
		}
		if err := rows.Err(); err != nil {
			return b.errorf("read the reports in %s: %w", b.Where(), err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ids, docs, nil
}
