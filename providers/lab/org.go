package lab

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dialtone/dialtone/state"
)

// orgVersion is the version of org.json this code writes.
const orgVersion = 1

// orgFile is the AD side of the organization: servers and database objects. It is small
// (thousands of objects at most) and rewritten atomically on every change.
type orgFile struct {
	Version   int            `json:"version"`
	Servers   []*serverObj   `json:"servers"`
	Databases []*databaseObj `json:"databases"`
	// Identities counts the database and log signatures handed out, so that they are
	// deterministic for a given history of commands.
	Identities uint64 `json:"identities"`

	// index finds servers and databases by name without scanning the lists (a lookup
	// per mailbox of a 2,000-database organization was quadratic). Built on first use
	// and rebuilt whenever the lists' lengths no longer match it; code that removes or
	// adds an object calls reindex.
	index *orgIndex
}

// orgIndex maps server names (exact) and lower-cased database names to their objects.
type orgIndex struct {
	nServers, nDatabases int
	asciiDatabases       bool // every database name is ASCII: a miss needs no scan
	servers              map[string]*serverObj
	databases            map[string]*databaseObj
}

// reindex drops the lookup index; the next lookup rebuilds it.
func (o *orgFile) reindex() { o.index = nil }

func (o *orgFile) lookup() *orgIndex {
	if x := o.index; x != nil && x.nServers == len(o.Servers) && x.nDatabases == len(o.Databases) {
		return x
	}
	x := &orgIndex{nServers: len(o.Servers), nDatabases: len(o.Databases),
		asciiDatabases: true,
		servers:        make(map[string]*serverObj, len(o.Servers)), databases: make(map[string]*databaseObj, len(o.Databases))}
	for _, s := range o.Servers {
		if _, dup := x.servers[s.Name]; !dup {
			x.servers[s.Name] = s // the first wins, as the scan did
		}
	}
	for _, d := range o.Databases {
		k := strings.ToLower(d.Name)
		x.asciiDatabases = x.asciiDatabases && isASCII(d.Name)
		if _, dup := x.databases[k]; !dup {
			x.databases[k] = d
		}
	}
	o.index = x
	return x
}

// isASCII reports whether s has no byte over 0x7f (lower-casing then equals EqualFold).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

type serverObj struct {
	Name    string `json:"name"`
	Site    string `json:"site,omitempty"`
	Edition string `json:"edition"`
	Version string `json:"version,omitempty"`
	Up      bool   `json:"up"`
	// Prefixes counts the log prefixes given to databases of this server (E00, E01, ...).
	Prefixes int `json:"prefixes"`

	SchemaVersion          string `json:"schema_version,omitempty"`
	CapacityBytes          int64  `json:"capacity_bytes,omitempty"` // 0: unlimited
	MaximumActiveDatabases int    `json:"maximum_active_databases,omitempty"`
}

type databaseObj struct {
	Name             string `json:"name"`
	Server           string `json:"server"`
	EdbFilePath      string `json:"edb_file_path"`
	LogFolderPath    string `json:"log_folder_path"`
	LogFilePrefix    string `json:"log_file_prefix"`
	Recovery         bool   `json:"recovery"`
	AllowFileRestore bool   `json:"allow_file_restore"`
	Mounted          bool   `json:"mounted"`
	// Signature is the identity of the .edb this object expects.
	Signature string `json:"signature"`
	// HasFile is set once a file was created or adopted: from then on a missing .edb is
	// an error, never a reason to create an empty one.
	HasFile bool `json:"has_file"`
	// ExcludedFromProvisioning is only read, from a lab written before Settings held
	// IsExcludedFromProvisioning; decodeOrg moves it there.
	ExcludedFromProvisioning bool `json:"excluded_from_provisioning,omitempty"`
	// Settings are the object's settings that differ from Exchange's defaults, by
	// Exchange property name (settings.go).
	Settings map[string]string `json:"settings,omitempty"`
	// Copies are its passive copies on other servers (a database availability group).
	Copies []copyObj `json:"copies,omitempty"`
	// StoreUnloaded is set on a recovery database created since its server's Information
	// Store last started: Microsoft's procedure restarts the store before its first
	// mount (restart_information_store), which clears it.
	StoreUnloaded bool `json:"store_unloaded,omitempty"`
}

// copyObj is a passive copy of a database on another server, at the same paths (every
// copy of a database uses the same paths). Replication is lazy: while Files is false the
// copy is as current as the active copy (continuous replication with no lag) without
// holding files; the moment the active copy is about to be lost, damaged or cut off (a
// failure injection), its .edb, checkpoint and logs are written on the copy's server
// (seedCopies), so the copy then holds exactly what was replicated. A copy is lost by
// "lab fail database -mode=lost -server=NAME" (its files deleted) or with its server.
type copyObj struct {
	Server string `json:"server"`
	Lost   bool   `json:"lost,omitempty"`
	Files  bool   `json:"files,omitempty"`
}

// mountLimit is the number of mounted (non-recovery) databases an edition allows.
func mountLimit(edition string) int {
	if strings.EqualFold(edition, "enterprise") {
		return 100
	}
	return 5 // standard, and trial servers behave like it
}

// mountLimit is the server's limit: the edition's, lowered by MaximumActiveDatabases
// when set. why names where it comes from, for error messages.
func (sv *serverObj) mountLimit() (limit int, why string) {
	limit, why = mountLimit(sv.Edition), "the limit of the "+sv.Edition+" edition"
	if m := sv.MaximumActiveDatabases; m > 0 && m < limit {
		limit, why = m, fmt.Sprintf("its MaximumActiveDatabases (the %s edition allows %d)", sv.Edition, mountLimit(sv.Edition))
	}
	return limit, why
}

// decodeOrg parses and checks org.json. It never trusts the file: every reference is
// checked, so that later code can rely on servers and names being valid.
func decodeOrg(data []byte) (*orgFile, error) {
	var o orgFile
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, err
	}
	if o.Version != orgVersion {
		return nil, fmt.Errorf("version %d is not supported (want %d)", o.Version, orgVersion)
	}
	servers := map[string]bool{}
	for i, s := range o.Servers {
		if s == nil {
			return nil, fmt.Errorf("server %d is null", i)
		}
		if err := checkName(s.Name); err != nil {
			return nil, fmt.Errorf("server %d: %v", i, err)
		}
		if servers[s.Name] {
			return nil, fmt.Errorf("server %s appears twice", s.Name)
		}
		if s.CapacityBytes < 0 || s.MaximumActiveDatabases < 0 {
			return nil, fmt.Errorf("server %s: negative capacity or maximum active databases", s.Name)
		}
		servers[s.Name] = true
	}
	names := map[string]bool{}
	for i, d := range o.Databases {
		if d == nil {
			return nil, fmt.Errorf("database %d is null", i)
		}
		if err := checkName(d.Name); err != nil {
			return nil, fmt.Errorf("database %d: %v", i, err)
		}
		if names[strings.ToLower(d.Name)] {
			return nil, fmt.Errorf("database %s appears twice", d.Name)
		}
		names[strings.ToLower(d.Name)] = true
		if !servers[d.Server] {
			return nil, fmt.Errorf("database %s is on server %q, which does not exist", d.Name, d.Server)
		}
		if _, _, err := splitWinPath(d.EdbFilePath); err != nil {
			return nil, fmt.Errorf("database %s: %v", d.Name, err)
		}
		if _, _, err := splitWinPath(d.LogFolderPath); err != nil {
			return nil, fmt.Errorf("database %s: %v", d.Name, err)
		}
		if !validPrefix(d.LogFilePrefix) {
			return nil, fmt.Errorf("database %s: log prefix %q is not Enn", d.Name, d.LogFilePrefix)
		}
		for name, v := range d.Settings {
			if _, err := checkLabSetting(name, v); err != nil {
				return nil, fmt.Errorf("database %s: setting %v", d.Name, err)
			}
		}
		if d.ExcludedFromProvisioning {
			d.put(state.SettingIsExcludedFromProvisioning, "True")
			d.ExcludedFromProvisioning = false
		}
	}
	return &o, nil
}

func validPrefix(p string) bool {
	return len(p) == 3 && p[0] == 'E' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'
}

func (l *Lab) orgPath() string { return filepath.Join(l.dir, "org.json") }

func (l *Lab) loadOrg() (*orgFile, error) {
	data, err := l.orgBytes()
	if err != nil {
		return nil, err
	}
	return l.decodeOrgBytes(data)
}

// orgBytes reads org.json, within the limit of its size.
func (l *Lab) orgBytes() ([]byte, error) {
	data, err := readLimited(l.orgPath(), "org file", EnvMaxOrgBytes, l.opts.Limits.org())
	if err != nil {
		return nil, fmt.Errorf("read org file: %w", err)
	}
	return data, nil
}

func (l *Lab) decodeOrgBytes(data []byte) (*orgFile, error) {
	o, err := decodeOrg(data)
	if err != nil {
		return nil, fmt.Errorf("org file %s is damaged: %v", l.orgPath(), err)
	}
	return o, nil
}

// saveOrg writes org.json atomically (temp file, fsync, rename), sorted for stable diffs.
func (l *Lab) saveOrg(o *orgFile) error {
	sort.Slice(o.Servers, func(i, j int) bool { return o.Servers[i].Name < o.Servers[j].Name })
	sort.Slice(o.Databases, func(i, j int) bool { return o.Databases[i].Name < o.Databases[j].Name })
	data, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(l.orgPath(), append(data, '\n'))
}

func (o *orgFile) server(name string) *serverObj {
	if s := o.lookup().servers[name]; s != nil && s.Name == name {
		return s
	}
	for _, s := range o.Servers { // a name changed in place since the index was built
		if s.Name == name {
			o.reindex()
			return s
		}
	}
	return nil
}

// database finds a database object; names are case-insensitive as in AD.
func (o *orgFile) database(name string) *databaseObj {
	if d := o.lookup().databases[strings.ToLower(name)]; d != nil && strings.EqualFold(d.Name, name) {
		return d
	}
	if x := o.index; isASCII(name) && x != nil && x.asciiDatabases && x.nDatabases == len(o.Databases) {
		return nil // every name is ASCII and indexed: EqualFold is lower-casing
	}
	for _, d := range o.Databases {
		if strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

func (o *orgFile) mustDatabase(name string) (*databaseObj, error) {
	if d := o.database(name); d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("database %q does not exist", name)
}

// newIdentity hands out the next database or log signature: GUID-formatted, derived
// from a counter so that a lab's history is reproducible.
func (o *orgFile) newIdentity(kind string) string {
	o.Identities++
	return guidFrom(fmt.Sprintf("dialtone-lab %s %d", kind, o.Identities))
}

// guidFrom formats the first 16 bytes of a SHA-256 as a GUID string.
func guidFrom(s string) string {
	h := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
