package planner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dialtone/dialtone/providers"
)

// FuzzDecodePlanFile holds the promise that no plan file, however damaged, panics
// the reader, and that a file it accepts holds only complete steps.
func FuzzDecodePlanFile(f *testing.F) {
	p := &Plan{FormatVersion: PlanFormatVersion, Steps: []*Step{{ID: "recovery.r.x", Operation: providers.Operation{Kind: providers.OpMountDatabase}}}}
	path := filepath.Join(f.TempDir(), "p")
	if err := WritePlanFile(path, p); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	f.Add(good)
	f.Add([]byte(`{"format_version":1,"kind":"dialtone-plan","checksum":"sha256:00","plan":{}}`))
	f.Add([]byte(`{"format_version":2,"kind":"dialtone-plan"}`))
	f.Add([]byte(`{"kind":"dialtone-plan","format_version":-1,"plan":null}`))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodePlanFile(data)
		if err == nil {
			for _, s := range got.Steps {
				if s == nil || s.ID == "" || s.Operation.Kind == "" {
					t.Fatal("accepted an incomplete step")
				}
			}
		}
	})
}
