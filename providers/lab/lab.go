package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	bolt "go.etcd.io/bbolt"

	"github.com/dialtone/dialtone/providers"
	"github.com/dialtone/dialtone/state"
)

// ServerSpec describes a Mailbox server of the topology. Edition is "standard" or
// "enterprise". SchemaVersion is its databases' CurrentSchemaVersion (free text, compared
// as is). CapacityBytes is the disk of its database volumes (0: unlimited): every file
// under the server's folder counts against it. MaximumActiveDatabases lowers the
// edition's mounted-database limit when set (0: unset).
type ServerSpec struct {
	Name, Site, Edition, Version string

	SchemaVersion          string
	CapacityBytes          int64
	MaximumActiveDatabases int
}

// DatabaseSpec describes a mailbox database of the topology, with the Windows paths of
// the configuration.
// Copies names the servers that hold passive copies of it (a database availability group).
type DatabaseSpec struct {
	Name, Server, EdbFilePath, LogFolderPath string
	Copies                                   []string
}

// Topology is what Init builds.
type Topology struct {
	Servers   []ServerSpec
	Databases []DatabaseSpec
}

// Lab is a simulated organization in a folder. Every method takes the folder's lock for
// its duration, so several processes (and goroutines) may share one lab. A Lab holds no
// open files between calls.
type Lab struct {
	dir string
	mu  sync.Mutex
	log hclog.Logger // never nil: a null logger unless Options.Logger or SetLogger

	latency *Latency     // nil: the lab's own speed (SetLatency)
	clock   *scaledClock // nil: the wall clock

	opts     Options
	edbOpens atomic.Int64 // database files opened through bbolt (tests: a cached Read opens none)

	// orgRead is the org.json runOrg last decoded, with its bytes (readOnlyOrg).
	orgRead struct {
		data []byte
		org  *orgFile
	}
}

// Options are the optional settings of Open.
type Options struct {
	// Logger receives one line per operation (Apply, Check) at debug, with its kind, the
	// database and the duration, and failures at warn. nil: no logs.
	Logger hclog.Logger
	// Limits bound the lab's files read into memory; zero fields are the defaults.
	Limits Limits

	// What tests change, per lab so that they may run in parallel (unexported: dialtone
	// keeps the defaults). Zero values are the defaults.
	//
	// headerCacheMargin replaces defaultHeaderCacheMargin (files in a test are seconds old).
	headerCacheMargin time.Duration
	// mergeBatch replaces defaultMergeBatch.
	mergeBatch int
	// afterMergeWrite, when set, runs after a merge batch reached the target database and
	// before the cursor is saved: a test returns an error there to simulate a crash.
	afterMergeWrite func() error
}

func (o Options) cacheMargin() time.Duration {
	if o.headerCacheMargin > 0 {
		return o.headerCacheMargin
	}
	return defaultHeaderCacheMargin
}

func (o Options) batch() int {
	if o.mergeBatch > 0 {
		return o.mergeBatch
	}
	return defaultMergeBatch
}

var (
	_ providers.Provider = (*Lab)(nil)
	_ providers.Closer   = (*Lab)(nil)
)

// Init builds a fresh organization in dir: servers up, every database created and
// mounted, each with mailboxesPerDatabase user mailboxes (every seventh without
// Autodiscover), and the first database of each server with one arbitration system
// mailbox, systemmailbox-<db>@contoso.com, which receives no lab mail. It refuses a
// folder that already holds a lab.
func Init(dir string, topo Topology, mailboxesPerDatabase int) (*Lab, error) {
	if mailboxesPerDatabase < 0 {
		return nil, fmt.Errorf("mailboxes per database must not be negative (got %d)", mailboxesPerDatabase)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create lab folder: %w", err)
	}
	l := &Lab{dir: dir, log: hclog.NewNullLogger()}
	err := l.run(true, func(s *session) error {
		if exists(l.orgPath()) || exists(filepath.Join(dir, directoryFile)) {
			return fmt.Errorf("lab already exists at %s: remove the folder to start over", dir)
		}
		return s.build(topo, mailboxesPerDatabase)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Open opens the lab in dir with settings (the zero Options are the defaults).
func Open(dir string, opts Options) (*Lab, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.IsDir()) {
		return nil, fmt.Errorf("lab folder %q does not exist: run \"dialtone lab init\" first", dir)
	} else if err != nil {
		return nil, err
	}
	l := &Lab{dir: dir, log: hclog.NewNullLogger(), opts: opts}
	l.SetLogger(opts.Logger)
	if !exists(l.orgPath()) {
		return nil, fmt.Errorf("lab folder %q holds no lab (no org.json): run \"dialtone lab init\" first", dir)
	}
	return l, nil
}

// SetLogger sets the logger of the operations (see Options.Logger); nil turns logs off.
// Call it before the lab is shared between goroutines.
func (l *Lab) SetLogger(log hclog.Logger) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	l.log = log
}

// logOp logs one finished operation: debug when it succeeded, warn when it failed.
func (l *Lab) logOp(what, kind, database string, start time.Time, err error) {
	log := l.log
	if log == nil {
		return
	}
	args := []any{"op", kind, "database", database, "duration", time.Since(start).Round(time.Microsecond)}
	if err != nil {
		log.Warn(what+" failed", append(args, "error", err)...)
		return
	}
	log.Debug(what, args...)
}

// Close releases the lab. Nothing stays open between calls, so it only marks the end.
func (l *Lab) Close() error { return nil }

// Capabilities: the lab does every operation by itself.
func (l *Lab) Capabilities() providers.Capabilities {
	return providers.Capabilities{RestoreBackup: true, MoveFiles: true, RenameFiles: true, DeleteFiles: true, ReplayLogs: true}
}

// session is the context of one public call: the loaded org, the directory and the
// database files opened so far. bbolt flocks its files, so each file is opened at most
// once per session and every handle is closed when the call ends.
type session struct {
	l    *Lab
	org  *orgFile
	dir  *bolt.DB
	edbs map[string]*bolt.DB
	now  time.Time

	// bulk is Generate's mode: bbolt files are opened NoSync, org.json is written only at
	// the end and directory entries are collected in bulkMailboxes for one transaction.
	bulk          bool
	bulkMailboxes []mailbox
}

// lock takes the in-process mutex and the folder's flock (the lab's folder must exist);
// unlock lets go of both.
func (l *Lab) lock() (unlock func(), err error) {
	l.mu.Lock()
	if !exists(l.dir) {
		l.mu.Unlock()
		return nil, fmt.Errorf("lab folder %q does not exist: run \"dialtone lab init\" first", l.dir)
	}
	release, err := state.LockPath(filepath.Join(l.dir, ".lock"))
	if err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("lock lab %s: %w", l.dir, err)
	}
	return func() { release(); l.mu.Unlock() }, nil
}

// run executes fn under the in-process mutex and the folder's flock. A panic in a
// dependency reading a damaged file (bbolt checks pages lazily) becomes an error: no
// input may crash the program.
func (l *Lab) run(fresh bool, fn func(s *session) error) (err error) {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	s := &session{l: l, edbs: map[string]*bolt.DB{}, now: time.Now().UTC()}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lab %s: a file is damaged beyond reading: %v", l.dir, r)
		}
		if cerr := s.close(); err == nil {
			err = cerr
		}
	}()
	if !fresh {
		if s.org, err = l.loadOrg(); err != nil {
			return err
		}
		if err := s.openDirectory(); err != nil {
			return err
		}
	}
	return fn(s)
}

func (s *session) close() error {
	err := s.closeEDBs()
	if s.dir != nil {
		if cerr := s.dir.Close(); err == nil {
			err = cerr
		}
		s.dir = nil
	}
	return err
}

func (s *session) saveOrg() error {
	if s.bulk {
		return nil // Generate writes org.json once, last
	}
	return s.l.saveOrg(s.org)
}

// build creates the organization of Init.
func (s *session) build(topo Topology, perDB int) error {
	if err := s.buildServers(topo); err != nil {
		return err
	}
	if err := s.buildDatabases(topo, perDB); err != nil {
		return err
	}
	return s.saveOrg()
}

// buildServers starts the org of build with topo's servers and opens the directory.
func (s *session) buildServers(topo Topology) error {
	s.org = &orgFile{Version: orgVersion}
	for _, sp := range topo.Servers {
		if err := checkName(sp.Name); err != nil {
			return fmt.Errorf("server name %q: %v", sp.Name, err)
		}
		if s.org.server(sp.Name) != nil {
			return fmt.Errorf("server %s is declared twice", sp.Name)
		}
		ed := strings.ToLower(sp.Edition)
		if ed == "" {
			ed = "standard"
		}
		if ed != "standard" && ed != "enterprise" {
			return fmt.Errorf("server %s: edition %q is not standard or enterprise", sp.Name, sp.Edition)
		}
		if sp.CapacityBytes < 0 || sp.MaximumActiveDatabases < 0 {
			return fmt.Errorf("server %s: capacity and maximum active databases must not be negative", sp.Name)
		}
		s.org.Servers = append(s.org.Servers, &serverObj{Name: sp.Name, Site: sp.Site, Edition: ed, Version: sp.Version, Up: true,
			SchemaVersion: sp.SchemaVersion, CapacityBytes: sp.CapacityBytes, MaximumActiveDatabases: sp.MaximumActiveDatabases})
	}
	return s.openDirectory()
}

// buildDatabases creates, mounts and fills topo's databases.
func (s *session) buildDatabases(topo Topology, perDB int) error {
	withSystem := map[string]bool{} // servers whose first database got its system mailbox
	for _, dp := range topo.Databases {
		db, err := s.createDatabase(dp.Name, dp.Server, dp.EdbFilePath, dp.LogFolderPath, false)
		if err != nil {
			return err
		}
		for _, c := range dp.Copies {
			if s.org.server(c) == nil {
				return fmt.Errorf("database %s: copy server %q does not exist", dp.Name, c)
			}
			if c == dp.Server || slices.ContainsFunc(db.Copies, func(x copyObj) bool { return x.Server == c }) {
				return fmt.Errorf("database %s: copy server %q is its own server or listed twice", dp.Name, c)
			}
			db.Copies = append(db.Copies, copyObj{Server: c})
		}
		if _, err := s.mount(db); err != nil {
			return fmt.Errorf("mount %s: %w", db.Name, err)
		}
		system := !withSystem[db.Server]
		withSystem[db.Server] = true
		if err := s.createMailboxes(db, perDB, system); err != nil {
			return err
		}
	}
	return nil
}

// createDatabase is New-MailboxDatabase: a new AD object, dismounted, with its own
// identity and the next log prefix of its server.
func (s *session) createDatabase(name, server, edb, logs string, recovery bool) (*databaseObj, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("database name %q: %v", name, err)
	}
	if len(name) > 64 {
		return nil, fmt.Errorf("database name %q is longer than 64 characters", name)
	}
	srv := s.org.server(server)
	if srv == nil {
		return nil, fmt.Errorf("database %s: server %q does not exist", name, server)
	}
	if _, err := s.l.hostPath(server, edb); err != nil {
		return nil, fmt.Errorf("database %s: EdbFilePath: %v", name, err)
	}
	if !strings.EqualFold(filepath.Ext(winBase(edb)), ".edb") {
		return nil, fmt.Errorf("database %s: EdbFilePath %q does not end in a .edb file name", name, edb)
	}
	if _, err := s.l.hostPath(server, logs); err != nil {
		return nil, fmt.Errorf("database %s: LogFolderPath: %v", name, err)
	}
	if d := s.org.database(name); d != nil {
		return nil, fmt.Errorf("a database named %s already exists (on %s)", d.Name, d.Server)
	}
	db := &databaseObj{
		Name: name, Server: server, EdbFilePath: edb, LogFolderPath: logs,
		LogFilePrefix: fmt.Sprintf("E%02d", srv.Prefixes), Recovery: recovery,
		Signature: s.org.newIdentity("database"), StoreUnloaded: recovery,
	}
	if srv.Prefixes >= 100 {
		return nil, fmt.Errorf("server %s has used every log prefix E00-E99", server)
	}
	srv.Prefixes++
	s.org.Databases = append(s.org.Databases, db)
	s.org.reindex()
	return db, nil
}

// edbPath and logFolder map a database object's paths onto the lab folder.
func (s *session) edbPath(db *databaseObj) (string, error) {
	return s.l.hostPath(db.Server, db.EdbFilePath)
}

func (s *session) logFolder(db *databaseObj) (string, error) {
	return s.l.hostPath(db.Server, db.LogFolderPath)
}
