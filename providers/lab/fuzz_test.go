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
	f.Add([]byte(`{"version":1,"servers":[null]}`))
	f.Add([]byte(`{"version":1,"databases":[{"name":"..","server":"EX01"}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := decodeOrg(data)
		if err != nil {
			return
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
