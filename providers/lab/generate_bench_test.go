package lab

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkGenerate builds organizations of 250 mailboxes per database, ten databases
// per server (target: 500,000 mailboxes in seconds; doubling at most doubles the time).
func BenchmarkGenerate(b *testing.B) {
	for _, servers := range []int{50, 100, 200} {
		spec := GenerateSpec{Servers: servers, DatabasesPerServer: 10, MailboxesPerDatabase: 250}
		b.Run(fmt.Sprintf("mailboxes=%d", servers*10*250), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := Generate(filepath.Join(b.TempDir(), fmt.Sprint(i)), spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
