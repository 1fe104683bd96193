// Package labconfig translates between the configuration and the lab provider: the
// topology a configuration declares, built by "lab init" and the drill, and the
// configuration of an organization "lab generate" built.
package labconfig

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dialtone/dialtone/config"
	"github.com/dialtone/dialtone/providers/lab"
)

// Topology is the lab topology of the configuration's servers and databases, sorted
// by name.
func Topology(cfg *config.Config) lab.Topology {
	var t lab.Topology
	for _, name := range slices.Sorted(maps.Keys(cfg.Servers)) {
		s := cfg.Servers[name]
		t.Servers = append(t.Servers, lab.ServerSpec{Name: s.Name, Site: s.Site, Edition: s.Edition, Version: s.Version,
			SchemaVersion: s.SchemaVersion, CapacityBytes: s.CapacityBytes, MaximumActiveDatabases: s.MaximumActiveDatabases})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Databases)) {
		d := cfg.Databases[name]
		spec := lab.DatabaseSpec{Name: d.Name, Server: d.Server.Name, EdbFilePath: d.EdbFilePath, LogFolderPath: d.LogFolderPath}
		for _, c := range d.Copies {
			spec.Copies = append(spec.Copies, c.Name)
		}
		t.Databases = append(t.Databases, spec)
	}
	return t
}

// HCL is the configuration of a generated organization ("lab generate"): its servers
// and databases and, per database of a failed server, an alternate_server recovery at
// stage whose dial tone and recovery databases are on the surviving servers, round
// robin.
func HCL(topo lab.Topology, failed []string, stage string) []byte {
	var b bytes.Buffer
	b.WriteString("# Written by \"dialtone lab generate\".\n\n")
	b.WriteString("dialtone {\n  backend \"local\" {\n    path = \"dialtone.state.json\"\n  }\n}\n\n")
	b.WriteString("provider \"lab\" {\n  path = \"lab\"\n}\n")
	var survivors []string
	for _, s := range topo.Servers {
		fmt.Fprintf(&b, "\nserver %q {\n  edition = %q\n  version = %q\n}\n", s.Name, s.Edition, s.Version)
		if !slices.Contains(failed, s.Name) {
			survivors = append(survivors, s.Name)
		}
	}
	for _, d := range topo.Databases {
		fmt.Fprintf(&b, "\ndatabase %q {\n  server          = server.%s\n  edb_file_path   = %s\n  log_folder_path = %s\n}\n",
			d.Name, d.Server, hclString(d.EdbFilePath), hclString(d.LogFolderPath))
	}
	n := 0
	for _, d := range topo.Databases {
		if !slices.Contains(failed, d.Server) {
			continue
		}
		host := survivors[n%len(survivors)]
		n++
		dt, rdb := "DT"+d.Name, "R"+d.Name
		fmt.Fprintf(&b, "\nrecovery %q {\n  database = database.%s\n  option   = \"alternate_server\"\n  stage    = %q\n\n", strings.ToLower(d.Name)+"-outage", d.Name, stage)
		fmt.Fprintf(&b, "  dial_tone_database {\n    name            = %q\n    server          = server.%s\n    edb_file_path   = %s\n    log_folder_path = %s\n  }\n\n",
			dt, host, hclString(`E:\DialTone\`+dt+`\`+dt+`.edb`), hclString(`E:\DialTone\`+dt+`\Logs`))
		fmt.Fprintf(&b, "  recovery_database {\n    name            = %q\n    server          = server.%s\n    edb_file_path   = %s\n    log_folder_path = %s\n  }\n\n",
			rdb, host, hclString(`F:\Recovery\`+rdb+`\`+dt+`.edb`), hclString(`F:\Recovery\`+rdb+`\Logs`))
		b.WriteString("  restore {\n    backup = \"nightly\"\n  }\n}\n")
	}
	return b.Bytes()
}

// hclString quotes a Windows path for HCL (backslashes doubled).
func hclString(s string) string { return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"` }
