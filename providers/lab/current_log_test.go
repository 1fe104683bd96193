package lab

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNewestTransactionsInEnnLog: as ESE, the lab writes the current generation to
// Enn.log and renames it EnnXXXXXXXX.log when it fills, so the newest mail is only in
// Enn.log: a copy of the surviving logs that leaves it out loses that mail (issue 12 §3;
// providers/exchange's scenarios fail when its copy_logs drops Enn.log).
func TestNewestTransactionsInEnnLog(t *testing.T) {
	l := newLab(t, 1)
	acc := mustDeliver(t, l, "db01-user0001@contoso.com", recordsPerGeneration+5)
	folder, err := l.hostPath("EX01", `D:\Databases\DB01\Logs`)
	if err != nil {
		t.Fatal(err)
	}
	gens, files, err := listLogs(folder, "E00")
	if err != nil || len(gens) < 2 {
		t.Fatalf("generations %v, %v", gens, err)
	}
	newest := gens[len(gens)-1]
	if filepath.Base(files[newest]) != "E00.log" {
		t.Fatalf("the current generation %d is in %s; want E00.log", newest, files[newest])
	}
	for _, g := range gens[:len(gens)-1] {
		if filepath.Base(files[g]) != logFileName("E00", g) {
			t.Errorf("closed generation %d is in %s; want %s", g, files[g], logFileName("E00", g))
		}
	}
	// The last message delivered is in E00.log and in no numbered file.
	last := acc[len(acc)-1].MessageID
	where := ""
	for _, g := range gens {
		lf, err := readLog(files[g], Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range lf.Records {
			if r.Item.MessageID == last {
				where = filepath.Base(files[g])
			}
		}
	}
	if where != "E00.log" {
		t.Fatalf("the newest message %s is in %q; want E00.log", last, where)
	}
	// A full generation rolls: E00.log is renamed, never rewritten.
	before, err := os.ReadFile(files[newest])
	if err != nil {
		t.Fatal(err)
	}
	mustDeliver(t, l, "db01-user0001@contoso.com", recordsPerGeneration)
	gens2, files2, err := listLogs(folder, "E00")
	if err != nil {
		t.Fatal(err)
	}
	rolled, err := os.ReadFile(files2[newest])
	if err != nil || filepath.Base(files2[newest]) != logFileName("E00", newest) || string(rolled[:len(before)]) != string(before) {
		t.Fatalf("generation %d after it filled: %s (%v)", newest, files2[newest], err)
	}
	if filepath.Base(files2[gens2[len(gens2)-1]]) != "E00.log" {
		t.Fatalf("after the roll the current generation is %s", files2[gens2[len(gens2)-1]])
	}
}
