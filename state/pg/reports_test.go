package pg_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/dialtone/dialtone/state"
	"github.com/dialtone/dialtone/state/pg"
	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// Reports are stored in the reports table of the schema, listed oldest first, read
// back as stored; a missing one wraps os.ErrNotExist, also before the table exists.
func TestReports(t *testing.T) {
	b, cs, schema := newBackend(t, pg.Options{})
	if ids, err := b.ReportIDs(context.Background()); err != nil || len(ids) != 0 {
		t.Fatalf("ReportIDs of a fresh schema = %v, %v", ids, err)
	}
	if _, err := b.GetReport(context.Background(), "x"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("GetReport before any = %v, want os.ErrNotExist", err)
	}
	docs := map[string]string{
		"20261126T091702Z-apply-3c1d": `{"id":"20261126T091702Z-apply-3c1d","command":"apply","started":"2026-11-26T09:17:02Z","result":"complete","steps":[]}`,
		"20261125T080000Z-drill-0001": `{"id":"20261125T080000Z-drill-0001","command":"drill","started":"2026-11-25T08:00:00Z","result":"passed"}`,
	}
	for id, d := range docs {
		if err := b.PutReport(context.Background(), id, []byte(d), []byte("## report "+id+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := b.ReportIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"20261125T080000Z-drill-0001", "20261126T091702Z-apply-3c1d"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ReportIDs = %v, want %v", ids, want)
	}
	got, err := b.GetReport(context.Background(), "20261126T091702Z-apply-3c1d")
	if err != nil || !strings.Contains(string(got), `"result": "complete"`) {
		t.Fatalf("GetReport = %s, %v", got, err)
	}
	md, err := b.GetReportMarkdown(context.Background(), "20261125T080000Z-drill-0001")
	if err != nil || string(md) != "## report 20261125T080000Z-drill-0001\n" {
		t.Fatalf("GetReportMarkdown = %q, %v", md, err)
	}
	allIDs, allDocs, err := b.ReportDocs(context.Background())
	if err != nil || !reflect.DeepEqual(allIDs, ids) || len(allDocs) != 2 || !strings.Contains(string(allDocs[0]), `"passed"`) {
		t.Fatalf("ReportDocs = %v, %d docs, %v", allIDs, len(allDocs), err)
	}
	if _, err := b.GetReport(context.Background(), "nope"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("GetReport of a missing ID = %v, want os.ErrNotExist", err)
	}
	// The columns a team lists with SQL.
	n := pgtest.QueryInt(t, cs, `SELECT count(*) FROM "`+schema+`".reports WHERE (command, result, time) IN
		(('drill', 'passed', '2026-11-25T08:00:00Z'::timestamptz), ('apply', 'complete', '2026-11-26T09:17:02Z'::timestamptz))`)
	if n != 2 {
		t.Fatalf("reports rows with their command, result and time: %d, want 2", n)
	}
	// The state tables and the reports live together: a schema made by the state
	// first gets the reports table too, and the state is untouched by reports.
	s := sample(state.NewLineage())
	if err := b.Write(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	b2, err := pg.New(cs, schema, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := b2.ReportIDs(context.Background()); err != nil || len(ids) != 2 {
		t.Fatalf("ReportIDs from another backend = %v, %v", ids, err)
	}
	if err := b.PutReport(context.Background(), "bad", []byte("not json"), nil); err == nil {
		t.Fatal("PutReport took a document that is not JSON")
	}
}
