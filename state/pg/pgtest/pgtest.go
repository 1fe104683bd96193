// Package pgtest gives tests a PostgreSQL database: the connection string from
// DIALTONE_TEST_PG_CONN_STR (.ci/run starts a throwaway cluster and sets it) and a fresh
// schema per test, dropped at its end. Without the variable the test is skipped, unless
// DIALTONE_TEST_REQUIRE_PG=1 (set by .ci/run), where it fails: in CI the PostgreSQL
// tests must run.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConnEnv names the variable holding the test database's connection string.
const ConnEnv = "DIALTONE_TEST_PG_CONN_STR"

// RequireEnv, set to 1, turns a missing ConnEnv from a skip into a failure.
const RequireEnv = "DIALTONE_TEST_REQUIRE_PG"

// ConnStr returns the test database's connection string, or skips (fails under
// RequireEnv) when there is none.
func ConnStr(t testing.TB) string {
	t.Helper()
	cs := os.Getenv(ConnEnv)
	if cs == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but %s is not set: the PostgreSQL tests must run here (.ci/run sets both)", RequireEnv, ConnEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a database's connection string (.ci/run starts a throwaway cluster and sets it)", ConnEnv)
	}
	return cs
}

// Available reports whether the PostgreSQL tests can run, failing the test when they
// must (RequireEnv) and cannot.
func Available(t testing.TB) bool {
	t.Helper()
	if os.Getenv(ConnEnv) != "" {
		return true
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s=1 but %s is not set: the PostgreSQL tests must run here (.ci/run sets both)", RequireEnv, ConnEnv)
	}
	return false
}

// Schema returns a new schema name for this test, dropped (with its tables) when the
// test ends. The schema itself is created by the backend on first use.
func Schema(t testing.TB, connStr string) string {
	t.Helper()
	var r [4]byte
	_, _ = rand.Read(r[:])
	name := "t_" + strings.ToLower(sanitize(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	name += "_" + hex.EncodeToString(r[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, connStr)
		if err != nil {
			t.Logf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Logf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

// Exec runs SQL on the test database (to damage a document, look at a table).
func Exec(t testing.TB, connStr, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connStr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// QueryInt runs a query returning one integer.
func QueryInt(t testing.TB, connStr, sql string, args ...any) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connStr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
