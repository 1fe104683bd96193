package exchange

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dialtone/dialtone/providers"
)

// Fuzz targets of the provider's parsing of cmdlet output (issue 9): any bytes as a
// response, through the record decoder and through every parse behind Read and Apply.
// No panic, no hang: errors are fine.

// responseSeeds are answers shaped like Exchange's (what the double returns).
var responseSeeds = []string{
	`[{"Name":"EX01","Site":"contoso.com/Configuration/Sites/HQ","Edition":"Enterprise","AdminDisplayVersion":"Version 15.2 (Build 1544.4)"}]`,
	`[{"Name":"DB01","Server":"EX01","EdbFilePath":"D:\\Databases\\DB01\\DB01.edb","LogFolderPath":"D:\\Databases\\DB01\\Logs","LogFilePrefix":"E00","Mounted":true,"Recovery":false,"AllowFileRestore":false,"DatabaseSize":"1.5 GB (1,610,612,736 bytes)","CurrentSchemaVersion":"0.199"}]`,
	`[{"Name":"user1","Alias":"user1","PrimarySmtpAddress":"user1@contoso.com","ExchangeGuid":"1f05a927-0000-4000-8000-000000000001","Database":"DB01","ArchiveDatabase":null,"LegacyExchangeDN":"/o=x/cn=user1"}]`,
	`[{"Name":"dialtone-r","Status":"InProgress","TargetAlias":"user1","SourceDatabase":"RDB01","PercentComplete":50,"BadItemLimit":10,"BadItemsEncountered":0}]`,
	`[{"Name":"dialtone-r","Status":"Completed","TargetAlias":"user1","SourceDatabase":"RDB01","PercentComplete":100,"BadItemLimit":10,"BadItemsEncountered":2}]`,
	`[{"MailboxGuid":"1f05a927-0000-4000-8000-000000000001"}]`,
	`[{"Path":"D:\\Databases\\DB01\\DB01.edb","Hash":"ABCDEF"},{"Name":"E00000001A.log"}]`,
	`[]`, `null`, `{}`, `[1]`, `[{"Name":7}]`, `[{"DatabaseSize":"Unlimited","PercentComplete":"x"}]`,
}

func FuzzDecodeRecords(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := decodeRecords("Get-Fuzz", data)
		if err != nil {
			return
		}
		for _, r := range recs {
			_ = r.where()
			for k := range r.m {
				s, _ := r.str(k, false)
				_, _ = r.str(k, true)
				_, _ = r.boolean(k, true)
				_, _ = r.boolean(k, false)
				_, _ = r.number(k, false)
				_, _ = r.number(k, true)
				_, _ = r.size(k)
				_, _ = exchangeVersion(s)
				_ = lastSegment(s)
			}
			_, _, _ = parseRequest(r)
		}
	})
}

// fuzzOps are the operations whose results the provider parses.
var fuzzOps = []providers.Operation{
	{Kind: providers.OpCreateDatabase, Database: "DTDB01", Server: "EX01", EdbFilePath: `D:\DT\DTDB01.edb`, LogFolderPath: `D:\DT\Logs`},
	{Kind: providers.OpMountDatabase, Database: "DTDB01"},
	{Kind: providers.OpDismountDatabase, Database: "DB01"},
	{Kind: providers.OpSetAllowFileRestore, Database: "DB01", Value: true},
	{Kind: providers.OpRehomeMailboxes, Database: "DB01", Target: "DTDB01"},
	{Kind: providers.OpCopyFiles, Database: "DB01", Server: "EX01", EdbFilePath: `D:\A\DB01.edb`, LogFolderPath: `D:\A\Logs`, Target: `D:\B`},
	{Kind: providers.OpCopyLogs, Database: "DB01", Target: "RDB01"},
	{Kind: providers.OpReplayLogs, Database: "RDB01"},
	{Kind: providers.OpMoveFiles, Database: "DTDB01", Target: "RDB01"},
	{Kind: providers.OpMergeMailbox, Database: "RDB01", Mailbox: "user1@contoso.com", Target: "DTDB01"},
	{Kind: providers.OpResumeRestoreRequest, Mailbox: "user1@contoso.com", Database: "RDB01"},
	{Kind: providers.OpRemoveRestoreRequests, Database: "RDB01"},
	{Kind: providers.OpRemoveDatabase, Database: "RDB01"},
	{Kind: providers.OpDeleteFiles, Database: "RDB01", Server: "EX01", EdbFilePath: `E:\R\DB01.edb`, LogFolderPath: `E:\R\Logs`},
}

// FuzzProviderResponses answers every request of Read and of each operation's Apply
// with the fuzzed responses in turn (NUL separates them; one starting with "!" is a
// command error), at most 200 requests per run.
func FuzzProviderResponses(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Add([]byte(`!The operation couldn't be performed`))
	f.Add([]byte(`not json at all`))
	f.Add([]byte(string(bytes.Join(func() [][]byte {
		var out [][]byte
		for _, s := range responseSeeds {
			out = append(out, []byte(s))
		}
		return out
	}(), []byte{0}))))
	f.Fuzz(func(t *testing.T, data []byte) {
		responses := bytes.Split(data, []byte{0})
		n := 0
		p := &Provider{
			cfg: Settings{PollInterval: time.Nanosecond, MaxResponseBytes: 1 << 20},
			log: hclog.NewNullLogger(),
		}
		p.testRun = func(ctx context.Context, body string) ([]byte, error) {
			if n >= 200 {
				return nil, errors.New("fuzz: no more answers")
			}
			r := responses[n%len(responses)]
			n++
			if len(r) > 0 && r[0] == '!' {
				return nil, &CommandError{Command: firstWord(body), Message: string(r[1:])}
			}
			return r, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = p.Read(ctx)
		for _, op := range fuzzOps {
			n = 0
			_, _ = p.Apply(ctx, op, func(done, total int64) {})
			_ = p.Check(ctx, providers.Check{Kind: providers.CheckDatabaseMounted, Database: "DB01"})
		}
		if ctx.Err() != nil {
			t.Fatalf("the provider hung on these answers (%d requests)", n)
		}
	})
}
