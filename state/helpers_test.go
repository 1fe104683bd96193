package state

import (
	"fmt"
	"hash/crc32"
	"time"
)

// sampleState is a small state with one of everything.
func sampleState() *State {
	s := New("4f1c2b7e-0d1a-4c55-9d7e-1a2b3c4d5e6f")
	s.Serial = 7
	s.Servers["EX01"] = &Server{Name: "EX01", Site: "HQ", Edition: "enterprise", Version: "15.0.1497.2", Up: true}
	s.Databases["DB01"] = &Database{Name: "DB01", Server: "EX01", EdbFilePath: `D:\DB01\DB01.edb`, LogFolderPath: `D:\DB01\Logs`, LogFilePrefix: "E00", Mounted: true, Clean: true, FilesOK: true}
	s.Mailboxes["ceo@contoso.com"] = &Mailbox{Address: "ceo@contoso.com", ExchangeGuid: "0b1e7c2a-0000-0000-0000-000000000001", Database: "DB01"}
	s.Mailboxes["amy@contoso.com"] = &Mailbox{Address: "amy@contoso.com", ExchangeGuid: "0b1e7c2a-0000-0000-0000-000000000002", Database: "DB01"}
	t := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	s.Recoveries["db01-outage"] = &Recovery{Name: "db01-outage", Stage: "dial_tone", Steps: map[string]*StepRecord{
		"recovery.db01-outage.create_dial_tone_database": {ID: "recovery.db01-outage.create_dial_tone_database", Started: t, Finished: t.Add(3 * time.Second), Result: "done", Detail: "created"},
	}}
	s.RestoreRequests["merge-ceo"] = &RestoreRequest{Name: "merge-ceo", SourceDatabase: "RDB01", TargetMailbox: "ceo@contoso.com", Status: "Completed"}
	return s
}

// bigState has n mailboxes spread over 2,000 databases on 200 servers (design.md's
// large organization).
func bigState(n int) *State {
	s := New("4f1c2b7e-0d1a-4c55-9d7e-1a2b3c4d5e6f")
	for i := range 200 {
		name := fmt.Sprintf("EX%03d", i)
		s.Servers[name] = &Server{Name: name, Site: "HQ", Edition: "enterprise", Version: "15.0.1497.2", Up: true}
	}
	for i := range 2000 {
		name := fmt.Sprintf("DB%04d", i)
		s.Databases[name] = &Database{Name: name, Server: fmt.Sprintf("EX%03d", i%200), EdbFilePath: `D:\Databases\` + name + `\` + name + ".edb", LogFolderPath: `D:\Databases\` + name + `\Logs`, Mounted: true, Clean: true, FilesOK: true}
	}
	for i := range n {
		addr := fmt.Sprintf("user%06d@contoso.com", i)
		s.Mailboxes[addr] = &Mailbox{Address: addr, ExchangeGuid: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Database: fmt.Sprintf("DB%04d", i%2000)}
	}
	return s
}

func crc(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }
