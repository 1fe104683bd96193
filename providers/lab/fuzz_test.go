package lab

import (
	"testing"
)

func FuzzParseLog(f *testing.F) {
	rec, _ := encodeRecord(logRecord{Op: opPut, Guid: exchangeGuid("a@contoso.com"), Key: "1", Item: item{MessageID: "1", Subject: "s"}})
	f.Add(append(logHeader("E00", 10, "sig"), rec...))
	f.Add(logHeader("E01", 1, "x"))
	f.Add([]byte("DIALTONE-ESE-LOG/1 prefix=E00 generation=zz signature=\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := parseLog(data)
		if err == nil && (lf == nil || !validPrefix(lf.Prefix) || len(lf.Records) > recordsPerGeneration) {
			t.Fatalf("accepted an invalid log: %+v", lf)
		}
		parseLogName(string(data))
	})
}

func FuzzDecodeOrg(f *testing.F) {
	f.Add([]byte(`{"version":1,"servers":[{"name":"EX01","edition":"standard","up":true}],"databases":[{"name":"DB01","server":"EX01","edb_file_path":"D:\\a\\DB01.edb","log_folder_path":"D:\\a\\Logs","log_file_prefix":"E00"}]}`))
	f.Add([]byte(`{"version":1,"servers":[{"name":"EX01","edition":"standard","up":true,"schema_version":"0.5","capacity_bytes":1000,"maximum_active_databases":2}],"databases":[{"name":"DB01","server":"EX01","edb_file_path":"D:\\a\\DB01.edb","log_folder_path":"D:\\a\\Logs","log_file_prefix":"E00","excluded_from_provisioning":true}]}`))
	f.Add([]byte(`{"version":1,"servers":[{"name":"EX01","capacity_bytes":-1}]}`))
	f.Add([]byte(`{"version":1,"servers":[null]}`))
	f.Add([]byte(`{"version":1,"databases":[{"name":"..","server":"EX01"}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := decodeOrg(data)
		if err != nil {
			return
		}
		for _, sv := range o.Servers {
			if sv.CapacityBytes < 0 || sv.MaximumActiveDatabases < 0 {
				t.Fatalf("accepted server %+v", sv)
			}
		}
		for _, d := range o.Databases {
			if o.server(d.Server) == nil {
				t.Fatalf("accepted database %s on a missing server", d.Name)
			}
			if _, _, err := splitWinPath(d.EdbFilePath); err != nil {
				t.Fatalf("accepted path %q", d.EdbFilePath)
			}
		}
	})
}

func FuzzSplitWinPath(f *testing.F) {
	for _, s := range []string{`D:\Databases\DB01\DB01.edb`, `D:\..\x`, `C:/a/b`, `\\srv\share`, `D:`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		_, comps, err := splitWinPath(p)
		if err != nil {
			return
		}
		for _, c := range comps {
			if c == "" || c == "." || c == ".." {
				t.Fatalf("%q gave component %q", p, c)
			}
		}
	})
}

// FuzzDecodeMailbox: directory entries of every age (GUID and home only, or with kind,
// archive and flags) decode or are refused, never panic, and what decodes encodes back
// to the same bytes.
func FuzzDecodeMailbox(f *testing.F) {
	g := exchangeGuid("a@contoso.com")
	f.Add([]byte(g + "DB01"))
	f.Add(mailbox{Guid: g, Home: "DB01", Kind: kindArbitration}.encode())
	f.Add(mailbox{Guid: g, Home: "DB01", Archive: "DB02", NoAutodiscover: true}.encode())
	f.Add([]byte(g + "DB01\x00x"))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, v []byte) {
		m, err := decodeMailbox([]byte("a@contoso.com"), v)
		if err != nil {
			return
		}
		if len(m.Guid) != guidLen {
			t.Fatalf("guid %q", m.Guid)
		}
		if m.Kind == "" && m.Archive == "" && !m.NoAutodiscover {
			return // "GUID home" and "GUID home\x00\x00\x00" read the same
		}
		if got := m.encode(); string(got) != string(v) {
			t.Fatalf("%q encodes back as %q", v, got)
		}
	})
}
