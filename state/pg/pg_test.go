package pg_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// newBackend returns a backend on a fresh schema of the test database.
func newBackend(t *testing.T, opts pg.Options) (*pg.Backend, string, string) {
	t.Helper()
	cs := pgtest.ConnStr(t)
	schema := pgtest.Schema(t, cs)
	b, err := pg.New(cs, schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, cs, schema
}

func sample(lineage string) *state.State {
	s := state.New(lineage)
	s.Servers["EX01"] = &state.Server{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	s.Databases["DB01"] = &state.Database{Name: "DB01", Server: "EX01", EdbFilePath: `D:\DB01\DB01.edb`, LogFolderPath: `D:\DB01\Logs`, Mounted: true, Clean: true, FilesOK: true}
	s.Mailboxes["ceo@contoso.com"] = &state.Mailbox{Address: "ceo@contoso.com", ExchangeGuid: "0b1e7c2a-0000-0000-0000-000000000001", Database: "DB01"}
	return s
}

func stepDone(id string) []state.Change {
	t := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	return []state.Change{{StepDone: &state.StepDone{Recovery: "db01-outage",
		Record: state.StepRecord{ID: id, Started: t, Finished: t.Add(time.Second), Result: "done"}}}}
}

func TestRoundtripAndSerial(t *testing.T) {
	b, _, _ := newBackend(t, pg.Options{})
	if _, err := b.Read(context.Background()); !errors.Is(err, state.ErrNoState) {
		t.Fatalf("Read of an empty schema: %v, want ErrNoState", err)
	}
	s := sample(state.NewLineage())
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 1 {
		t.Fatalf("serial after the first write: %d", s.Serial)
	}
	s.Databases["DB01"].Mounted = false
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	got, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := state.Encode(s)
	have, _ := state.Encode(got)
	if string(want) != string(have) || got.Serial != 2 {
		t.Fatalf("roundtrip differs (serial %d):\n%s\nwant\n%s", got.Serial, have, want)
	}
	// Another lineage is refused and does not raise its serial.
	other := sample(state.NewLineage())
	if err := b.Write(context.Background(), other); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("write of another lineage: %v", err)
	}
	if other.Serial != 0 {
		t.Fatal("a refused write raised the serial")
	}
}

func TestBackupsKeepN(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{Backups: 3})
	s := sample(state.NewLineage())
	for range 7 {
		if err := b.Write(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	n := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT count(*) FROM %q.state_backups`, schema))
	lo := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT min(serial) FROM %q.state_backups`, schema))
	hi := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT max(serial) FROM %q.state_backups`, schema))
	if n != 3 || lo != 4 || hi != 6 {
		t.Fatalf("backups: %d rows, serials %d..%d; want 3 rows, 4..6", n, lo, hi)
	}
}

func TestJournalReplay(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	unlock, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	s := sample(state.NewLineage())
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 { // parallel merges append at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.AppendJournal(context.Background(), stepDone(fmt.Sprintf("recovery.db01-outage.merge.%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// A crash now: the state was not written. Another backend replays the journal.
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	b2, _ := pg.New(cs, schema, pg.Options{})
	got, err := b2.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Recoveries["db01-outage"].Steps); n != 8 || b2.JournalPending() != 8 {
		t.Fatalf("replayed %d steps (pending %d), want 8", n, b2.JournalPending())
	}
	// More steps after a replay get new sequence numbers; Write folds them all.
	unlock2, err := b2.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	if err := b2.AppendJournal(context.Background(), stepDone("recovery.db01-outage.ninth")); err != nil {
		t.Fatal(err)
	}
	if err := b2.Write(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	unlock2()
	if n := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT count(*) FROM %q.journal`, schema)); n != 0 {
		t.Fatalf("%d journal rows left after Write", n)
	}
	// Rows of an older serial are ignored.
	pgtest.Exec(t, cs, fmt.Sprintf(`INSERT INTO %q.journal (lineage, serial, seq, changes, crc32) VALUES ($1, 1, 1, '[]', 0)`, schema), got.Lineage)
	again, err := pg.New(cs, schema, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Read(context.Background()); err != nil || again.JournalPending() != 0 {
		t.Fatalf("old-serial row: %v, pending %d", err, again.JournalPending())
	}
	// A damaged row of the current serial is refused, naming it.
	pgtest.Exec(t, cs, fmt.Sprintf(`INSERT INTO %q.journal (lineage, serial, seq, changes, crc32) VALUES ($1, $2, 1, '[]', 1)`, schema), got.Lineage, int64(got.Serial))
	if _, err := again.Read(context.Background()); err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "seq 1") {
		t.Fatalf("damaged journal row: %v", err)
	}
}

func TestLockConflictNamesHolder(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	unlock, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(context.Background(), sample(state.NewLineage())); err != nil {
		t.Fatal(err)
	}
	other, _ := pg.New(cs, schema, pg.Options{})
	_, err = other.Lock(context.Background(), "refresh")
	var le *state.LockError
	if !errors.As(err, &le) {
		t.Fatalf("second Lock: %v, want a LockError", err)
	}
	if le.Stale || le.Info.Operation != "apply" || le.Info.PID != os.Getpid() || le.Info.ID == "" {
		t.Fatalf("LockError = %+v", le)
	}
	if !strings.Contains(le.Error(), `for "apply"`) {
		t.Errorf("message: %s", le.Error())
	}
	// ForceUnlock of a live session's lock is refused with the way to end it.
	if err := other.ForceUnlock(context.Background(), le.Info.ID); err == nil || !strings.Contains(err.Error(), "pg_terminate_backend") {
		t.Fatalf("ForceUnlock of a live lock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	u2, err := other.Lock(context.Background(), "refresh")
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	if other.ReplacedLock() != nil {
		t.Fatal("a released lock was reported as replaced")
	}
	u2()
}

// TestHelperHoldLock is not a test: run by TestStaleLockAfterHolderDies as a child
// process that takes the lock, says so, and waits to be killed.
func TestHelperHoldLock(t *testing.T) {
	cs, schema := os.Getenv("PGTEST_HOLD_CONN"), os.Getenv("PGTEST_HOLD_SCHEMA")
	if cs == "" {
		t.Skip("helper process only")
	}
	b, err := pg.New(cs, schema, pg.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := b.Lock(context.Background(), "apply"); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(0)
}

func TestStaleLockAfterHolderDies(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	child := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	child.Env = append(os.Environ(), "PGTEST_HOLD_CONN="+cs, "PGTEST_HOLD_SCHEMA="+schema)
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		child.Process.Kill()
		t.Fatalf("helper: %q", line)
	}
	_, err := b.Lock(context.Background(), "apply")
	var le *state.LockError
	if !errors.As(err, &le) || le.Info.PID != child.Process.Pid {
		t.Fatalf("Lock while the helper holds it: %v", err)
	}
	child.Process.Kill() // SIGKILL: no unlock, the row stays
	child.Wait()
	// The server notices the session's end at once (the socket closed); allow a moment.
	var unlock func() error
	for i := 0; ; i++ {
		unlock, err = b.Lock(context.Background(), "apply")
		if err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	defer unlock()
	prev := b.ReplacedLock()
	if prev == nil || prev.PID != child.Process.Pid || prev.Operation != "apply" {
		t.Fatalf("ReplacedLock = %+v, want the dead helper's (pid %d)", prev, child.Process.Pid)
	}
	if who := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT (info->>'pid')::int FROM %q.lock`, schema)); who != int64(os.Getpid()) {
		t.Fatalf("the lock row names pid %d, want ours", who)
	}
}

func TestForceUnlockNeedsID(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	if err := b.ForceUnlock(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "no lock is held") {
		t.Fatalf("ForceUnlock with no tables: %v", err)
	}
	unlock, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	id := pgtestLockID(t, cs, schema)
	// Simulate a holder that died: end its session from the server side.
	pgtest.Exec(t, cs, fmt.Sprintf(`SELECT pg_terminate_backend(backend_pid) FROM %q.lock`, schema))
	_ = unlock() // fails: its session is gone
	other, _ := pg.New(cs, schema, pg.Options{})
	if err := other.ForceUnlock(context.Background(), "wrong"); err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), id) {
		t.Fatalf("ForceUnlock with a wrong ID: %v", err)
	}
	var err2 error
	for i := 0; i < 50; i++ {
		if err2 = other.ForceUnlock(context.Background(), id); err2 == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err2 != nil {
		t.Fatalf("ForceUnlock: %v", err2)
	}
	if n := pgtest.QueryInt(t, cs, fmt.Sprintf(`SELECT count(*) FROM %q.lock WHERE lock_id IS NOT NULL`, schema)); n != 0 {
		t.Fatal("the lock row still names a holder")
	}
	if err := other.ForceUnlock(context.Background(), id); err == nil || !strings.Contains(err.Error(), "no lock is held") {
		t.Fatalf("second ForceUnlock: %v", err)
	}
}

func pgtestLockID(t *testing.T, cs, schema string) string {
	t.Helper()
	b, _ := pg.New(cs, schema, pg.Options{})
	_, err := b.Lock(context.Background(), "peek")
	var le *state.LockError
	if !errors.As(err, &le) {
		t.Fatalf("peek: %v", err)
	}
	return le.Info.ID
}

func TestDamagedDocumentNamesBackup(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	s := sample(state.NewLineage())
	for range 3 {
		if err := b.Write(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	// A hand edit through SQL: valid JSON, wrong checksum.
	pgtest.Exec(t, cs, fmt.Sprintf(`UPDATE %q.state SET document = convert_to(replace(convert_from(document, 'UTF8'), '"mounted": true', '"mounted": false'), 'UTF8')`, schema))
	_, err := b.Read(context.Background())
	if err == nil {
		t.Fatal("a hand-edited document was accepted")
	}
	for _, want := range []string{"is damaged", "checksum mismatch", "the newest good backup is version 2 (serial 2", "state_backups", "UPDATE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
	// Truncated: refused too. Then the SQL of the message restores it.
	pgtest.Exec(t, cs, fmt.Sprintf(`UPDATE %q.state SET document = substring(document from 1 for 40)`, schema))
	_, err = b.Read(context.Background())
	if err == nil {
		t.Fatal("a truncated document was accepted")
	}
	msg := err.Error()
	i := strings.Index(msg, "UPDATE ")
	pgtest.Exec(t, cs, msg[i:])
	got, err := b.Read(context.Background())
	if err != nil || got.Serial != 2 {
		t.Fatalf("after the restore: %v (serial %v)", err, got)
	}
}

func TestCredentialsScrubbed(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	cases := []string{
		"postgres://dialtone:" + secret + "@127.0.0.1:1/nodb?connect_timeout=2",
		"host=127.0.0.1 port=1 user=dialtone password=" + secret + " dbname=nodb connect_timeout=2",
		"host=127.0.0.1 port=1 user=dialtone password='" + secret + "' dbname=nodb connect_timeout=2",
		"postgres://dialtone:" + secret + "@127.0.0.1:notaport/nodb", // does not parse
	}
	for _, cs := range cases {
		b, err := pg.New(cs, "s", pg.Options{Timeout: 3 * time.Second})
		if err == nil {
			_, err = b.Lock(context.Background(), "apply")
		}
		if err == nil {
			t.Fatalf("%s: no error", cs)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), cs) {
			t.Errorf("the error shows the credentials: %v", err)
		}
	}
	// Against the real server, with a password in the string: the server's refusal
	// (a role that does not exist) shows no password either.
	if !pgtest.Available(t) {
		return
	}
	cs := addParam(addParam(pgtest.ConnStr(t), "password", secret), "user", "no_such_role")
	b, err := pg.New(cs, "s", pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lock(context.Background(), "apply")
	if err == nil {
		t.Fatal("a role that does not exist was let in")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows the password: %v", err)
	}
	t.Logf("scrubbed server error: %v", err)
}

// addParam adds a setting to a key=value or URL connection string.
func addParam(cs, k, v string) string {
	if strings.Contains(cs, "://") {
		sep := "?"
		if strings.Contains(cs, "?") {
			sep = "&"
		}
		return cs + sep + k + "=" + v
	}
	return cs + " " + k + "=" + v
}

func TestLockKeyPerSchema(t *testing.T) {
	cs := pgtest.ConnStr(t)
	a, _ := pg.New(cs, pgtest.Schema(t, cs), pg.Options{})
	b, _ := pg.New(cs, pgtest.Schema(t, cs), pg.Options{})
	ua, err := a.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatal(err)
	}
	defer ua()
	ub, err := b.Lock(context.Background(), "apply")
	if err != nil {
		t.Fatalf("a lock on one schema blocked another: %v", err)
	}
	ub()
}
