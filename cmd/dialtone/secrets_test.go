package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dialtone/dialtone/state/pg/pgtest"
)

// The secrets test (issue 9): every command of a whole recovery, run as a real process
// with known secrets around it, and nothing it prints, logs or writes may hold one.
//
// The secrets:
//   - a sensitive variable (variable "x" { sensitive = true }, its value from
//     DIALTONE_VAR_x): against pg it is the backend's conn_str (with a password inside);
//     against local it is declared and, in a folder of its own, routed into a path,
//     where config refuses it without echoing it;
//   - DIALTONE_PG_CONN_STR with a password, in the environment of every command;
//   - EXCHANGE_USERNAME/EXCHANGE_PASSWORD, the credential of a configured exchange
//     provider whose PowerShell is missing (the error path);
//   - a bad pg connection string with a password, and a sensitive number given a bad
//     value with -var.
//
// Every command runs with DIALTONE_LOG=trace and DIALTONE_LOG_PATH set (some with
// json:trace to stderr instead). Afterwards every stdout and stderr, every file under
// the working folders (state, backups, journal, lock, plan files, reports, the lab),
// the log file and the state as state pull prints it are searched for every secret.

const (
	secretVar      = "sv-Q7m2Zk9-sensitive-value" // the sensitive variable, local runs
	secretVarPW    = "pw-R4t8Nw2-in-conn-str"     // password inside the sensitive conn_str, pg runs
	secretEnvPW    = "pw-J6h3Vb1-in-env"          // password of DIALTONE_PG_CONN_STR
	secretExPW     = "pw-X2c5Lp8-exchange"        // EXCHANGE_PASSWORD
	secretBadPW    = "pw-B9d1Ks4-bad-conn"        // password of a conn string that cannot work
	secretNumber   = "sv-N3w7Pq5-not-a-number"    // a bad -var value for a sensitive number
	secretUser     = `CONTOSO\svc-dialtone-Y5`    // EXCHANGE_USERNAME (checked like a secret)
	secretDTVars   = "sv-T1u6Gm3-from-dtvars"     // the sensitive variable from a .dtvars file
	secretFilePW   = "pw-F8e2Rz6-in-cred-file"    // the password of an exchange credential_file
	secretFileUser = `CONTOSO\svc-dialtone-F3`    // its user name (checked like a secret)
	exchangeFixed  = "no-such-pwsh-for-dialtone-secrets"
)

// output is what one command printed on one stream.
type output struct{ where, text string }

// secretRun collects everything the commands printed, to search at the end.
type secretRun struct {
	t       *testing.T
	secrets []string
	outputs []output
	env     []string
	logPath string
}

func (s *secretRun) run(dir string, want int, args ...string) result {
	s.t.Helper()
	return s.runEnv(dir, nil, want, args...)
}

// runEnv runs dialtone in dir with the run's environment and extra; want is the exit
// status required (-1: any).
func (s *secretRun) runEnv(dir string, extra []string, want int, args ...string) result {
	s.t.Helper()
	env := append(append([]string{}, s.env...), extra...)
	r := dialtone(s.t, dir, env, args...)
	name := filepath.Base(dir) + ": dialtone " + strings.Join(args, " ")
	s.outputs = append(s.outputs, output{name + " (stdout)", r.stdout}, output{name + " (stderr)", r.stderr})
	if want >= 0 && r.code != want {
		s.t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, r.code, want, r.stdout, r.stderr)
	}
	return r
}

// check searches every output, every file under dirs and the log file.
func (s *secretRun) check(dirs ...string) {
	s.t.Helper()
	found := 0
	report := func(where string, data []byte) {
		for _, sec := range s.secrets {
			if i := bytes.Index(data, []byte(sec)); i >= 0 {
				found++
				lo, hi := max(0, i-120), min(len(data), i+len(sec)+60)
				s.t.Errorf("secret %q in %s:\n…%s…", sec, where, data[lo:hi])
			}
		}
	}
	for _, o := range s.outputs {
		report(o.where, []byte(o.text))
	}
	files := 0
	for _, d := range append(dirs, filepath.Dir(s.logPath)) {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.Type().IsRegular() {
				return nil
			}
			if strings.HasSuffix(p, ".hcl") || strings.HasSuffix(p, ".dtvars") || strings.HasSuffix(p, ".cred") {
				return nil // the configuration and credential file themselves: the test wrote the secrets there
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			report(p, data)
			return nil
		})
		if err != nil {
			s.t.Fatal(err)
		}
	}
	log, err := os.ReadFile(s.logPath)
	if err != nil {
		s.t.Fatalf("the trace log: %v", err)
	}
	if !bytes.Contains(log, []byte("[TRACE]")) && !bytes.Contains(log, []byte(`"@level":"trace"`)) {
		s.t.Errorf("the log file %s holds no trace line: logging is not on, the test proves nothing", s.logPath)
	}
	if found == 0 {
		s.t.Logf("%d outputs, %d files (%d bytes of trace log) searched for %d secrets: none found", len(s.outputs), files, len(log), len(s.secrets))
	}
}

var dialtoneBlock = regexp.MustCompile(`(?s)dialtone \{\n  backend "local" \{.*?\n  \}\n\}\n`)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSecretsNeverWritten(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be testBackend) {
		testSecrets(t, be)
	})
}

func testSecrets(t *testing.T, be testBackend) {
	root := t.TempDir()
	logDir := t.TempDir()
	s := &secretRun{t: t, logPath: filepath.Join(logDir, "dialtone.log"),
		secrets: []string{secretVar, secretVarPW, secretEnvPW, secretExPW, secretBadPW, secretNumber, secretUser, secretDTVars, secretFilePW, secretFileUser}}
	envConn := "host=/nonexistent-dialtone-socket dbname=nothing user=nobody password=" + secretEnvPW
	s.secrets = append(s.secrets, envConn)
	s.env = []string{
		"DIALTONE_LOG=trace", "DIALTONE_LOG_PATH=" + s.logPath,
		pgConnEnv + "=" + envConn,
		"EXCHANGE_USERNAME=" + secretUser, "EXCHANGE_PASSWORD=" + secretExPW,
		"DIALTONE_ESTIMATES=off",
	}
	// The pg test database's own connection string is no secret of this test (it has no
	// password), but the child must not see it as one either way.
	s.env = append(s.env, pgtest.ConnEnv+"=")

	// The recovery folder: examples/same-server plus the sensitive variable.
	rec := filepath.Join(root, "recovery")
	hcl, err := os.ReadFile(filepath.Join("..", "..", "examples", "same-server", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	vars := "variable \"x\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"n\" {\n  type      = number\n  sensitive = true\n  default   = 4\n}\n"
	main := string(hcl)
	varValue := secretVar
	if be.name == "pg" {
		conn := be.connStr + " password=" + secretVarPW
		varValue = conn
		s.secrets = append(s.secrets, conn)
		if !dialtoneBlock.MatchString(main) {
			t.Fatal("examples/same-server/main.hcl: no dialtone { backend \"local\" } block to replace")
		}
		main = dialtoneBlock.ReplaceAllString(main, fmt.Sprintf("dialtone {\n  backend \"pg\" {\n    conn_str    = var.x\n    schema_name = %q\n  }\n}\n", be.schema))
	}
	writeFile(t, filepath.Join(rec, "main.hcl"), main)
	writeFile(t, filepath.Join(rec, "variables.hcl"), vars)
	s.env = append(s.env, "DIALTONE_VAR_x="+varValue)

	// The recovery, every stage, every view.
	s.run(rec, 0, "version")
	s.run(rec, 0, "validate")
	s.run(rec, 0, "validate", "-json")
	s.run(rec, -1, "fmt", "-check", "-diff")
	s.run(rec, 0, "init")
	s.run(rec, 0, "lab", "init", "-mailboxes=4")
	s.run(rec, 0, "lab", "deliver", "-database=DB01", "-count=8", "-json")
	s.run(rec, 0, "lab", "backup", "DB01", "-name=nightly")
	s.run(rec, 0, "lab", "deliver", "-database=DB01", "-count=3")
	s.run(rec, 0, "lab", "fail", "database", "DB01", "-mode=lost")
	s.run(rec, 0, "lab", "deliver", "-database=DB01", "-count=2")
	s.run(rec, 0, "lab", "status")
	s.run(rec, 0, "lab", "status", "-json")
	s.run(rec, 0, "refresh")
	s.run(rec, 0, "state", "list")
	for i, stage := range []string{"dial_tone", "restored", "swapped", "merged", "complete"} {
		setHCL(t, rec, "", stage)
		planFile := stage + ".plan"
		s.run(rec, 0, "plan")
		s.run(rec, 0, "plan", "-json")
		s.run(rec, 2, "plan", "-detailed-exitcode", "-out="+planFile)
		for _, f := range []string{"text", "json", "markdown", "mermaid", "powershell"} {
			s.run(rec, 0, "show", "-format="+f, planFile)
			s.run(rec, 0, "plan", "-refresh=false", "-format="+f)
		}
		s.run(rec, 0, "graph")
		s.run(rec, 0, "graph", "-format=mermaid", "-plan="+planFile)
		if i%2 == 0 {
			s.run(rec, 0, "apply", planFile)
		} else {
			s.runEnv(rec, []string{"DIALTONE_LOG=json:trace", "DIALTONE_LOG_PATH="}, 0, "apply", "-auto-approve", "-json")
		}
		if stage == "dial_tone" {
			s.run(rec, 0, "lab", "deliver", "-database=DTDB01", "-count=3")
		}
		s.run(rec, 0, "show")
		s.run(rec, 0, "show", "-json")
		s.run(rec, 0, "state", "list")
		s.run(rec, 0, "state", "show", "recovery.db01-outage")
		s.run(rec, 0, "state", "pull")
	}
	s.run(rec, 0, "plan", "-detailed-exitcode")
	s.run(rec, 0, "refresh")
	s.run(rec, 0, "lab", "verify", "-accept-lost")
	s.run(rec, 0, "lab", "mailbox", "db01-user0001@contoso.com", "-json")
	s.run(rec, 0, "report", "-list")
	s.run(rec, 0, "report")
	s.run(rec, 0, "report", "-format=markdown")
	s.run(rec, 0, "report", "-format=json")
	s.runEnv(rec, []string{"DIALTONE_LOG=json:trace", "DIALTONE_LOG_PATH="}, 0, "state", "pull")

	// Errors on purpose.
	r := s.run(rec, 1, "plan", "-var", "n="+secretNumber)
	if !strings.Contains(r.stderr, "Invalid value for variable") || !strings.Contains(r.stderr, "(sensitive)") {
		t.Errorf("a bad -var for a sensitive number: %s", r.stderr)
	}
	s.run(rec, 1, "plan", "-var", "undeclared=1")
	s.run(rec, 1, "plan", "-var", "novalue")
	full, err := os.ReadFile(filepath.Join(rec, "complete.plan"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(rec, "broken.plan"), string(full[:len(full)/2]))
	s.run(rec, 1, "show", "broken.plan")
	s.run(rec, 1, "apply", "broken.plan")
	writeFile(t, filepath.Join(rec, "garbage.plan"), "PK\x03\x04 not a plan at all \x00\xff")
	s.run(rec, 1, "apply", "-auto-approve", "garbage.plan")
	s.run(rec, 1, "state", "show", "recovery.nope")
	s.run(rec, 1, "lab", "deliver", "-to=nobody@contoso.com")

	// A sensitive value routed into a path: refused, named, never echoed.
	refused := filepath.Join(root, "refused")
	writeFile(t, filepath.Join(refused, "main.hcl"), strings.Replace(string(hcl),
		`edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"`, `edb_file_path   = "D:\\${var.x}\\DB01.edb"`, 1))
	writeFile(t, filepath.Join(refused, "variables.hcl"), vars)
	writeFile(t, filepath.Join(refused, "terraform.dtvars"), "x = \""+secretDTVars+"\"\n")
	for _, args := range [][]string{{"validate"}, {"validate", "-json"}, {"plan"}, {"init"}, {"validate", "-var", "x=" + secretVar}} {
		r := s.runEnv(refused, []string{"DIALTONE_VAR_x="}, 1, args...)
		out := r.stdout + r.stderr
		if !strings.Contains(out, "Sensitive value not allowed here") {
			t.Errorf("%s in a folder routing a sensitive value into a path: not refused as sensitive:\n%s", args, out)
		}
	}

	// A pg backend whose connection string cannot work (no server; malformed).
	for i, conn := range []string{
		"host=/nonexistent-dialtone-socket port=1 user=u dbname=d password=" + secretBadPW + " connect_timeout=2",
		"postgres://u:" + secretBadPW + "@[::1:bad/d",
		"host='unterminated password=" + secretBadPW,
	} {
		bad := filepath.Join(root, fmt.Sprintf("badpg%d", i))
		writeFile(t, filepath.Join(bad, "main.hcl"), dialtoneBlock.ReplaceAllString(string(hcl), "dialtone {\n  backend \"pg\" {}\n}\n"))
		s.secrets = append(s.secrets, conn)
		for _, args := range [][]string{{"init"}, {"plan"}, {"state", "pull"}, {"state", "list"}} {
			s.runEnv(bad, []string{pgConnEnv + "=" + conn}, 1, args...)
			s.runEnv(bad, []string{pgConnEnv + "=" + conn, "DIALTONE_LOG=json:trace", "DIALTONE_LOG_PATH="}, 1, args...)
		}
	}

	// A configured exchange provider with its credential in the environment: validate,
	// init and the state commands start no PowerShell; plan and apply try to and fail.
	ex := filepath.Join(root, "exchange")
	exHCL := strings.Replace(string(hcl), "provider \"lab\" {\n  path = \"lab\"\n}\n",
		"provider \"exchange\" {\n  command           = [\""+exchangeFixed+"\", \"-Command\", \"-\"]\n  connection_uri    = \"http://ex01.contoso.com/PowerShell/\"\n  domain_controller = \"dc01.contoso.com\"\n  credential_env    = \"EXCHANGE\"\n}\n", 1)
	if exHCL == string(hcl) {
		t.Fatal("examples/same-server/main.hcl: no provider \"lab\" block to replace")
	}
	exHCL = dialtoneBlock.ReplaceAllString(exHCL, "dialtone {\n  backend \"local\" {\n    path = \"dialtone.state.json\"\n  }\n}\n")
	writeFile(t, filepath.Join(ex, "main.hcl"), exHCL)
	// The command and the server are privileged: pinned by the environment.
	exEnv := []string{"DIALTONE_TEST_BACKEND=", envExchangeCommand + `=["` + exchangeFixed + `", "-Command", "-"]`,
		envExchangeConnectionURI + "=http://ex01.contoso.com/PowerShell/"}
	s.runEnv(ex, exEnv, 0, "validate")
	s.runEnv(ex, exEnv, 0, "validate", "-json")
	s.runEnv(ex, exEnv, 0, "init")
	s.runEnv(ex, exEnv, 0, "state", "list")
	s.runEnv(ex, exEnv, 0, "state", "pull")
	s.runEnv(ex, exEnv, 0, "show")
	for _, args := range [][]string{{"plan"}, {"refresh"}, {"apply", "-auto-approve"}, {"plan", "-format=powershell"}} {
		r := s.runEnv(ex, exEnv, 1, args...)
		if !strings.Contains(r.stderr, "starting PowerShell") {
			t.Errorf("exchange %s without PowerShell: %s", args, r.stderr)
		}
		s.runEnv(ex, append(exEnv, "DIALTONE_LOG=json:trace", "DIALTONE_LOG_PATH="), 1, args...)
	}
	s.runEnv(ex, exEnv, 1, "lab", "status")

	// The same provider with its credential in a credential_file (user name, newline,
	// password): the file's content is as secret as the environment's.
	exf := filepath.Join(root, "exchangefile")
	writeFile(t, filepath.Join(exf, "main.hcl"), strings.Replace(exHCL, `credential_env    = "EXCHANGE"`, `credential_file   = "exchange.cred"`, 1))
	writeFile(t, filepath.Join(exf, "exchange.cred"), secretFileUser+"\r\n"+secretFilePW+"\r\n")
	if err := os.Chmod(filepath.Join(exf, "exchange.cred"), 0o600); err != nil {
		t.Fatal(err)
	}
	exEnv = append(exEnv, envExchangeCredentialFile+"=exchange.cred")
	s.runEnv(exf, exEnv, 0, "validate")
	s.runEnv(exf, exEnv, 0, "init")
	for _, args := range [][]string{{"plan"}, {"refresh"}, {"apply", "-auto-approve"}} {
		r := s.runEnv(exf, exEnv, 1, args...)
		if !strings.Contains(r.stderr, "starting PowerShell") {
			t.Errorf("exchange %s with a credential_file, without PowerShell: %s", args, r.stderr)
		}
		s.runEnv(exf, append(exEnv, "DIALTONE_LOG=json:trace", "DIALTONE_LOG_PATH="), 1, args...)
	}

	if st := s.run(rec, 0, "state", "pull"); !strings.Contains(st.stdout, `"lineage"`) {
		t.Fatalf("state pull printed no state: %s", st.stdout)
	}
	if be.name == "pg" {
		// Every row of every table of the schema, as text: states, backups, journal, locks.
		rows := pgRows(t, be.connStr, be.schema)
		if !strings.Contains(rows, "lineage") {
			t.Fatalf("the pg schema %s holds no state row", be.schema)
		}
		s.outputs = append(s.outputs, output{"the rows of pg schema " + be.schema, rows})
	} else if _, err := os.Stat(filepath.Join(rec, "dialtone.state.json")); err != nil {
		t.Fatalf("the local state: %v", err)
	}
	s.check(root)
}

// pgRows returns every row of every table of schema as text.
func pgRows(t *testing.T, connStr, schema string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, connStr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tables, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	var b strings.Builder
	for _, n := range names {
		tbl := pgx.Identifier{schema, n}.Sanitize()
		// The row as text, then each bytea column's raw bytes (the documents, the
		// journal's changes), which the text form shows in hex.
		cols, err := conn.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND data_type = 'bytea'`, schema, n)
		if err != nil {
			t.Fatal(err)
		}
		sel := "t::text::bytea"
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				t.Fatal(err)
			}
			sel += ", " + pgx.Identifier{c}.Sanitize()
		}
		cols.Close()
		rows, err := conn.Query(ctx, `SELECT `+sel+` FROM `+tbl+` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.WriteString(n + ": ")
					b.Write(bs)
					b.WriteString("\n")
				}
			}
		}
		rows.Close()
	}
	return b.String()
}
