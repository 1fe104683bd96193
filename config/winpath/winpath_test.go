package winpath

import (
	"strings"
	"testing"
)

func TestCanonAliases(t *testing.T) {
	// Each alias kind names the same place as D:\Databases\DB02\DB02.edb.
	want := `D:\DATABASES\DB02\DB02.EDB`
	for kind, p := range map[string]string{
		"case":            `d:\databases\db02\DB02.EDB`,
		"forward slashes": `D:/Databases/DB02/DB02.edb`,
		"doubled slashes": `D:\\Databases\DB02\\DB02.edb`,
		"trailing dots":   `D:\Databases.\DB02..\DB02.edb.`,
		"trailing spaces": `D:\Databases \DB02  \DB02.edb `,
		"trailing mix":    `D:\Databases. .\DB02\DB02.edb`,
		"trailing slash":  `D:\Databases\DB02\DB02.edb\`,
	} {
		got, err := Canon(p)
		if err != nil || got != want {
			t.Errorf("%s: Canon(%q) = %q, %v; want %q", kind, p, got, err, want)
		}
	}
}

func TestCanonRefusesAmbiguous(t *testing.T) {
	for kind, c := range map[string]struct{ path, why string }{
		"8.3 short name":     {`C:\PROGRA~1\Exchange\DB.edb`, "short name"},
		"8.3 short file":     {`D:\Databases\DB02\DB02~1.EDB`, "short name"},
		"device CON":         {`D:\Databases\CON`, "device name"},
		"device NUL ext":     {`D:\Databases\nul.edb`, "device name"},
		"device COM1":        {`D:\COM1\Logs`, "device name"},
		"device LPT9 space":  {`D:\lpt9 .log`, "device name"},
		"device superscript": {`D:\COM¹`, "device name"},
		"dot dot":            {`D:\Databases\..\DB02`, "component"},
		"dot":                {`D:\Databases\.\DB02`, "component"},
		"only dots":          {`D:\Databases\...\DB02`, "strips to nothing"},
		"stream":             {`D:\Databases\DB02.edb:hidden`, "forbids"},
		"UNC":                {`\\EX01\D$\Databases`, "UNC"},
		"verbatim":           {`\\?\D:\Databases`, "UNC"},
		"relative":           {`Databases\DB02`, "absolute"},
		"drive relative":     {`D:Databases`, "relative"},
	} {
		if got, err := Canon(c.path); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: Canon(%q) = %q, %v; want an error about %q", kind, c.path, got, err, c.why)
		}
	}
}

func TestOverlap(t *testing.T) {
	canon := func(p string) string {
		c, err := Canon(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rec, other := canon(`E:\Recovery`), canon(`e:\recovery\OTHER-RDB\other.edb`)
	if !Overlap(rec, other) || !Within(other, rec) || Within(rec, other) {
		t.Errorf("E:\\Recovery holds OTHER-RDB's file")
	}
	if Overlap(canon(`E:\Recovery\RDB01`), canon(`E:\Recovery\RDB01-Logs`)) {
		t.Errorf("RDB01 and RDB01-Logs are siblings, not one inside the other")
	}
	if !Same(`E:\Recovery\`, `e:/RECOVERY. `) || Same(`E:\PROGRA~1`, `E:\PROGRA~1`) {
		t.Errorf("Same: aliases are one place; an ambiguous name is never the same as anything")
	}
}
