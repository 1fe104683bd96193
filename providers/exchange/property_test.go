package exchange_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/planner"
	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/providers/exchange/internal/pstoken"
	"github.com/dialtone/dialtone/state"
)

// Property tests of the PowerShell quoting, read back with the double's own tokenizer
// (internal/pstoken): a deterministic seeded generator of hostile strings.

// pieces are what the generator strings together: quotes and their Unicode look-alikes,
// PowerShell's expansion and statement syntax, switches, line breaks and control
// characters, other Unicode.
var pieces = []string{
	"a", "B", "z", "0", "7", " ", "-", "_", ".", "x1",
	"'", "''", "\u2018", "\u2019", "\u201A", "\u201B", "\u2019\u2019",
	"$", "$x", "$env:PATH", "$(", "$(Stop-Computer)", ")", "(", "`", "`n", ";", "|", "&", "@{", "}", "{", "@",
	"-Force", " -Confirm:$false", "#", "<#", "#>", "\"", "%", "=", ",", "[", "]", "<", ">", "\\",
	"\n", "\r", "\r\n", "\t", "\x00", "\x1b", "\x7f", "\u0085", "\u0090", "\u2028", "\u2029",
	"é", "ß", "日本", "Ж", "\u200b", "\u00a0", "\ufeff", "\U0001F600", "\u202e", "ｄ",
}

// randString strings 0 to 12 pieces together.
func randString(r *rand.Rand, from []string) string {
	var b strings.Builder
	for n := r.IntN(13); n > 0; n-- {
		b.WriteString(from[r.IntN(len(from))])
	}
	return b.String()
}

// controlled reports whether s holds what PSCheckValue must refuse: a C0 or C1 control
// character, DEL, or a Unicode line or paragraph separator.
func controlled(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// literals tokenizes line and returns its tokens without positions.
func literals(t *testing.T, line string) []pstoken.Token {
	t.Helper()
	toks, err := pstoken.Tokenize(line)
	if err != nil {
		t.Fatalf("tokenizing %q: %v", line, err)
	}
	for i := range toks {
		toks[i].Pos = 0
	}
	return toks
}

// TestPropertyQuotedLiteral: 2,000 random strings. PSCheckValue refuses exactly those
// with a control character or line break; every other one, quoted with PSQuote, is one
// string token holding exactly the input, alone and as a parameter value between
// others.
func TestPropertyQuotedLiteral(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2026))
	refused, accepted := 0, 0
	for i := 0; i < 2000; i++ {
		s := randString(r, pieces)
		err := providers.PSCheckValue("name", s)
		if controlled(s) {
			if err == nil {
				t.Fatalf("case %d: PSCheckValue accepted %q, which holds a control character", i, s)
			}
			if !strings.Contains(err.Error(), "name") {
				t.Fatalf("case %d: the error does not name the field: %v", i, err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Fatalf("case %d: PSCheckValue refused %q: %v", i, s, err)
		}
		accepted++
		got := literals(t, providers.PSQuote(s))
		if len(got) != 2 || got[0].Kind != pstoken.String || got[0].Text != s || got[1].Kind != pstoken.EOF {
			t.Fatalf("case %d: PSQuote(%q) = %s tokenizes to %+v", i, s, providers.PSQuote(s), got)
		}
		other := randString(r, pieces)
		if controlled(other) {
			other = "DB02"
		}
		line := "Set-Mailbox -Identity " + providers.PSQuote(s) + " -Database " + providers.PSQuote(other) + " -Confirm:$false"
		want := []pstoken.Token{
			{Kind: pstoken.Bare, Text: "Set-Mailbox"},
			{Kind: pstoken.Param, Text: "Identity"}, {Kind: pstoken.String, Text: s},
			{Kind: pstoken.Param, Text: "Database"}, {Kind: pstoken.String, Text: other},
			{Kind: pstoken.Param, Text: "Confirm", Colon: true}, {Kind: pstoken.Var, Text: "false"},
			{Kind: pstoken.EOF},
		}
		if got := literals(t, line); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("case %d: %s\ntokenizes to %+v\nwant        %+v", i, line, got, want)
		}
	}
	if refused < 200 || accepted < 800 {
		t.Fatalf("generator skewed: %d refused, %d accepted", refused, accepted)
	}
	t.Logf("%d refused, %d accepted as one literal", refused, accepted)
}

// namePieces are pieces config accepts in database names and Windows accepts in file
// names (no \ / : * ? " < > | and no control characters).
var namePieces = func() []string {
	var out []string
	for _, p := range pieces {
		if !controlled(p) && !strings.ContainsAny(p, `\/:*?"<>|`) {
			out = append(out, p)
		}
	}
	return out
}()

// slot is one name or path of the organization the planner plans for: the placeholder
// a plain twin uses and the hostile value of this case. Every value starts with the
// slot's own prefix, so the planner sorts both organizations the same way.
type slot struct{ plain, hostile string }

func (s slot) get(hostile bool) string {
	if hostile {
		return s.hostile
	}
	return s.plain
}

// nameCase is one organization: examples/same-server with every name, path and mailbox
// address drawn at random.
type nameCase struct {
	server, db1, db2, dt, rdb, backup               slot
	db1Edb, db1Logs, db2Edb, db2Logs, dtEdb, dtLogs slot // whole paths
	rdbDir, rdbLogs                                 slot
	mailboxes                                       []slot
}

func newNameCase(r *rand.Rand, k int) *nameCase {
	n := 0
	mk := func(prefix string) slot {
		n++
		return slot{plain: fmt.Sprintf("%sQ%dQ%dQ", prefix, k, n), hostile: prefix + randString(r, namePieces)}
	}
	c := &nameCase{
		server: mk("EX01"), db1: mk("DB01"), db2: mk("DB02"), dt: mk("DTDB01"), rdb: mk("RDB01"),
		db1Edb: mk("A1"), db1Logs: mk("A2"), db2Edb: mk("A3"), db2Logs: mk("A4"),
		dtEdb: mk("A5"), dtLogs: mk("A6"), rdbDir: mk("A7"), rdbLogs: mk("A8"),
		backup: mk("nightly"),
	}
	for i := 0; i < 3; i++ {
		c.mailboxes = append(c.mailboxes, mk(fmt.Sprintf("u%04d", i)))
	}
	return c
}

// edb is a database file in folder on drive.
func edb(drive, folder string) string { return drive + `:\` + folder + `\f.edb` }

func (c *nameCase) config(h bool) *config.Config {
	rng := hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2}}
	srv := config.Addr{Kind: config.KindServer, Name: c.server.get(h)}
	return &config.Config{
		Servers: map[string]*config.Server{
			c.server.get(h): {Name: c.server.get(h), Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", DeclRange: rng},
		},
		Databases: map[string]*config.Database{
			c.db1.get(h): {Name: c.db1.get(h), Server: srv, EdbFilePath: edb("D", c.db1Edb.get(h)), LogFolderPath: `D:\` + c.db1Logs.get(h), DeclRange: rng},
			c.db2.get(h): {Name: c.db2.get(h), Server: srv, EdbFilePath: edb("D", c.db2Edb.get(h)), LogFolderPath: `D:\` + c.db2Logs.get(h), DeclRange: rng},
		},
		Recoveries: map[string]*config.Recovery{
			"r": {
				Name: "r", Database: config.Addr{Kind: config.KindDatabase, Name: c.db1.get(h)}, DatabaseRange: rng,
				Option: config.OptionSameServer, Stage: config.StageComplete, StageRange: rng,
				DialTone: &config.DialToneDatabase{Name: c.dt.get(h), Server: srv,
					EdbFilePath: edb("D", c.dtEdb.get(h)), LogFolderPath: `D:\` + c.dtLogs.get(h)},
				RecoveryDatabase: &config.RecoveryDatabase{Name: c.rdb.get(h),
					// A restore keeps the failed database's file name (f.edb), whatever the database is called.
					EdbFilePath: edb("E", c.rdbDir.get(h)), LogFolderPath: `E:\` + c.rdbLogs.get(h)},
				Restore:   &config.Restore{Backup: c.backup.get(h), ReplayLogs: true},
				Merge:     &config.Merge{ConflictResolution: "KeepSourceItem", BadItemLimit: 10, DeclRange: rng},
				DeclRange: rng,
			},
		},
		Sources: map[string][]byte{"main.hcl": []byte("# generated\n")},
	}
}

func (c *nameCase) state(h bool) *state.State {
	st := state.New("6f1c7c9e-0000-4000-8000-000000000009")
	st.Serial = 3
	s := c.server.get(h)
	st.Servers[s] = &state.Server{Name: s, Site: "HQ", Edition: "enterprise", Version: "15.2.1544.4", Up: true}
	st.Databases[c.db1.get(h)] = &state.Database{Name: c.db1.get(h), Server: s, EdbFilePath: edb("D", c.db1Edb.get(h)),
		LogFolderPath: `D:\` + c.db1Logs.get(h), LogFilePrefix: "E00"}
	st.Databases[c.db2.get(h)] = &state.Database{Name: c.db2.get(h), Server: s, EdbFilePath: edb("D", c.db2Edb.get(h)),
		LogFolderPath: `D:\` + c.db2Logs.get(h), LogFilePrefix: "E01", Mounted: true, FilesOK: true}
	st.Backups = map[string]*state.Backup{c.db1.get(h) + "/" + c.backup.get(h): {Set: c.backup.get(h), Database: c.db1.get(h), Generation: 0x40}}
	for i, m := range c.mailboxes {
		addr := m.get(h) + "@contoso.com"
		st.Mailboxes[addr] = &state.Mailbox{Address: addr, ExchangeGuid: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Database: c.db1.get(h)}
	}
	return st
}

func (c *nameCase) slots() []slot {
	s := []slot{c.server, c.db1, c.db2, c.dt, c.rdb, c.backup, c.db1Edb, c.db1Logs, c.db2Edb, c.db2Logs,
		c.dtEdb, c.dtLogs, c.rdbDir, c.rdbLogs}
	return append(s, c.mailboxes...)
}

// TestPropertyPlannerCommandLines plans a same-server recovery from nothing to complete
// for organizations with random database, server, path, backup and mailbox names, and
// for a twin with plain placeholders in their place. Every command line of every step
// must tokenize like the twin's line with each placeholder replaced by its hostile
// value inside the same string literal: no name adds, removes or changes a token.
func TestPropertyPlannerCommandLines(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 7))
	lines := 0
	for k := 0; k < 100; k++ {
		c := newNameCase(r, k)
		plans := [2]*planner.Plan{}
		for i, h := range []bool{false, true} {
			p, diags := planner.Compute(c.config(h), c.state(h), providers.Capabilities{RestoreBackup: true, MoveFiles: true, DeleteFiles: true, ReplayLogs: true}, planner.ComputeOptions{})
			if diags.HasErrors() {
				t.Fatalf("case %d (hostile %v): %s", k, h, diags.Error())
			}
			plans[i] = p
		}
		plain, hostile := plans[0], plans[1]
		if len(plain.Steps) != len(hostile.Steps) || len(plain.Steps) < 10 {
			t.Fatalf("case %d: %d plain steps, %d hostile", k, len(plain.Steps), len(hostile.Steps))
		}
		subst := c.slots()
		for i, ps := range plain.Steps {
			hs := hostile.Steps[i]
			if len(ps.Commands) != len(hs.Commands) {
				t.Fatalf("case %d step %s: %d command lines, hostile %d", k, ps.ID, len(ps.Commands), len(hs.Commands))
			}
			for j, pl := range ps.Commands {
				if strings.HasPrefix(pl, "# ") {
					// A comment line: safe while it stays one line (psComment).
					want := pl
					for _, s := range subst {
						want = strings.ReplaceAll(want, s.plain, s.hostile)
					}
					if hs.Commands[j] != want || controlled(want) {
						t.Fatalf("case %d step %s line %d: comment %q, want %q on one line", k, hs.ID, j, hs.Commands[j], want)
					}
					lines++
					continue
				}
				want := literals(t, pl)
				for w := range want {
					if want[w].Kind == pstoken.String {
						for _, s := range subst {
							want[w].Text = strings.ReplaceAll(want[w].Text, s.plain, s.hostile)
						}
					} else if strings.Contains(want[w].Text, "Q") && strings.Contains(want[w].Text, fmt.Sprintf("Q%dQ", k)) {
						t.Fatalf("case %d: a placeholder outside a string literal: %q in %s", k, want[w].Text, pl)
					}
				}
				got := literals(t, hs.Commands[j])
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("case %d step %s line %d:\nplain   %s\nhostile %s\ntokens  %+v\nwant    %+v", k, hs.ID, j, pl, hs.Commands[j], got, want)
				}
				lines++
			}
		}
	}
	t.Logf("%d command lines of 100 random organizations tokenize to their intended literals", lines)
}

// TestPropertyProviderNames sends random database names and paths through the provider
// to the double (New-MailboxDatabase), reads them back from the double's output and
// sends what was read (Set-MailboxDatabase -Identity): each arrives as one literal,
// exactly, both ways.
func TestPropertyProviderNames(t *testing.T) {
	r := newRig(t, exampleTopology, 1, rigOpts{})
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(9, 11))
	names := map[string]bool{}
	for i := 0; len(names) < 60; i++ {
		name := fmt.Sprintf("P%03d", i) + randString(rnd, namePieces)
		if strings.TrimSpace(name) != name {
			continue // Exchange trims names; the lab refuses untrimmed ones
		}
		folder := strings.TrimSpace(strings.ReplaceAll(randString(rnd, namePieces), ".", "_"))
		op := providers.Operation{Kind: providers.OpCreateDatabase, Database: name, Server: "EX01",
			EdbFilePath: fmt.Sprintf(`D:\P%d%s\x.edb`, i, folder), LogFolderPath: fmt.Sprintf(`D:\P%d%s\Logs`, i, folder)}
		if _, err := r.prov.Apply(ctx, op, nil); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		creates := r.callsOf(t, "New-MailboxDatabase")
		last := creates[len(creates)-1]
		if last.Args["name"] != name || last.Args["edbfilepath"] != op.EdbFilePath || last.Args["logfolderpath"] != op.LogFolderPath {
			t.Fatalf("%q arrived as %+v", name, last.Args)
		}
		names[name] = true
	}
	obs, err := r.prov.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name := range names {
		d := obs.Databases[name]
		if d == nil {
			t.Fatalf("database %q not read back", name)
		}
		if _, err := r.prov.Apply(ctx, providers.Operation{Kind: providers.OpSetAllowFileRestore, Database: d.Name, Value: true}, nil); err != nil {
			t.Fatalf("%q: %v", d.Name, err)
		}
		sets := r.callsOf(t, "Set-MailboxDatabase")
		if got := sets[len(sets)-1].Args["identity"]; got != name {
			t.Fatalf("%q read back and sent as -Identity %q", name, got)
		}
	}
	if obs.Databases["DB02"] == nil || obs.Databases["DB01"] == nil {
		t.Fatal("a random name removed a database")
	}
	for _, c := range r.calls(t) {
		switch c.Cmd {
		case "Remove-MailboxDatabase", "Stop-Computer", "Stop-Service", "Remove-Mailbox":
			t.Fatalf("an injected cmdlet ran: %+v", c)
		}
	}
}
