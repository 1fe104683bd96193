package exchange

import (
	"slices"
	"testing"
)

// The PowerShell process gets the variables it needs and those the admin names, never
// the rest of dialtone's environment (the pg connection string, sensitive variables,
// other tools' tokens).
func TestChildEnv(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", "HOME=/home/a", "LC_ALL=C.UTF-8", "KRB5CCNAME=FILE:/tmp/k", "Path=C:\\Windows", "SystemRoot=C:\\Windows",
		"DIALTONE_PG_CONN_STR=postgres://u:pw@db/x", "DIALTONE_VAR_secret=s", "AWS_SECRET_ACCESS_KEY=k", "GITHUB_TOKEN=t",
		"EXCHANGE_ADMIN_PASSWORD=p", "MY_PROXY=http://proxy:3128", "=C:=C:\\", "broken",
	}
	got := childEnv(environ, " MY_PROXY ,")
	want := []string{"PATH=/usr/bin", "HOME=/home/a", "LC_ALL=C.UTF-8", "KRB5CCNAME=FILE:/tmp/k", "Path=C:\\Windows", "SystemRoot=C:\\Windows", "MY_PROXY=http://proxy:3128"}
	if !slices.Equal(got, want) {
		t.Errorf("childEnv:\n got %q\nwant %q", got, want)
	}
}
