package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A log file is E00 + 8 hex digits + .log: a header line naming its prefix, generation
// and log signature (the stream it belongs to), then one record per line, each with the
// CRC-32 of its JSON. A stream rolls to a new generation every recordsPerGeneration
// records, at each mount and after a backup.
const (
	recordsPerGeneration = 64
	logMagic             = "DIALTONE-ESE-LOG/1"
	opPut                = "put"
	opMailbox            = "mailbox"
)

type logRecord struct {
	Op   string `json:"op"`
	Guid string `json:"guid"`
	Key  string `json:"key,omitempty"`
	Item item   `json:"item"`
}

type logFile struct {
	Prefix     string
	Generation uint64
	Signature  string
	Records    []logRecord
	// Size is the length of the well-formed part (a torn last line is not counted).
	Size int
}

func logFileName(prefix string, gen uint64) string { return fmt.Sprintf("%s%08X.log", prefix, gen) }

// parseLogName reads E0000000A1F.log into its prefix and generation.
func parseLogName(name string) (prefix string, gen uint64, ok bool) {
	if len(name) != 3+8+4 || !strings.HasSuffix(name, ".log") || !validPrefix(name[:3]) {
		return "", 0, false
	}
	g, err := strconv.ParseUint(name[3:11], 16, 64)
	if err != nil {
		return "", 0, false
	}
	return name[:3], g, true
}

func logHeader(prefix string, gen uint64, sig string) []byte {
	return []byte(fmt.Sprintf("%s prefix=%s generation=%08X signature=%s\n", logMagic, prefix, gen, sig))
}

func encodeRecord(r logRecord) ([]byte, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf("%08x %s\n", crc32.ChecksumIEEE(data), data)), nil
}

// errTornTail marks a log whose last line was cut short by a crash during an append.
var errTornTail = errors.New("last record is incomplete")

// parseLog checks and decodes a log file. Any damage is an error; a torn last line is
// errTornTail with the records before it returned.
func parseLog(data []byte) (*logFile, error) {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return nil, errors.New("no header line")
	}
	f := &logFile{}
	fields := strings.Fields(string(data[:nl]))
	if len(fields) != 4 || fields[0] != logMagic ||
		!strings.HasPrefix(fields[1], "prefix=") || !strings.HasPrefix(fields[2], "generation=") ||
		!strings.HasPrefix(fields[3], "signature=") {
		return nil, errors.New("header line is not a log header")
	}
	f.Prefix = strings.TrimPrefix(fields[1], "prefix=")
	if !validPrefix(f.Prefix) {
		return nil, fmt.Errorf("header prefix %q is not Enn", f.Prefix)
	}
	g, err := strconv.ParseUint(strings.TrimPrefix(fields[2], "generation="), 16, 64)
	if err != nil {
		return nil, fmt.Errorf("header generation: %v", err)
	}
	f.Generation = g
	f.Signature = strings.TrimPrefix(fields[3], "signature=")
	if f.Signature == "" {
		return nil, errors.New("header has no log signature")
	}
	rest, off := data[nl+1:], nl+1
	f.Size = off
	for n := 1; len(rest) > 0; n++ {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			return f, errTornTail
		}
		line := rest[:end]
		if len(line) < 10 || line[8] != ' ' {
			return nil, fmt.Errorf("record %d is malformed", n)
		}
		want, err := strconv.ParseUint(string(line[:8]), 16, 32)
		if err != nil {
			return nil, fmt.Errorf("record %d has no checksum", n)
		}
		body := line[9:]
		if crc32.ChecksumIEEE(body) != uint32(want) {
			return nil, fmt.Errorf("record %d fails its checksum", n)
		}
		var r logRecord
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("record %d: %v", n, err)
		}
		if (r.Op != opPut && r.Op != opMailbox) || len(r.Guid) != guidLen {
			return nil, fmt.Errorf("record %d is not a database change", n)
		}
		f.Records = append(f.Records, r)
		rest = rest[end+1:]
		off += end + 1
		f.Size = off
	}
	if len(f.Records) > recordsPerGeneration {
		return nil, fmt.Errorf("holds %d records, more than a generation's %d", len(f.Records), recordsPerGeneration)
	}
	return f, nil
}

// readLog reads and checks one log file (within lim's LogBytes), naming the file in errors.
func readLog(path string, lim Limits) (*logFile, error) {
	data, err := readLimited(path, "log file", EnvMaxLogBytes, lim.log())
	if err != nil {
		return nil, err
	}
	f, err := parseLog(data)
	if err != nil && !errors.Is(err, errTornTail) {
		return nil, fmt.Errorf("log file %s is damaged: %v", path, err)
	}
	return f, err
}

// listLogs returns the generations of prefix present in folder, sorted, with file names.
// The current generation is Enn.log, as ESE keeps it (its header says its generation);
// the others are EnnXXXXXXXX.log.
func listLogs(folder, prefix string) ([]uint64, map[uint64]string, error) {
	names, err := listFiles(folder)
	if err != nil {
		return nil, nil, err
	}
	gens, files := logsOf(folder, prefix, names)
	return gens, files, nil
}

// logsOf is listLogs on the names of folder's files.
func logsOf(folder, prefix string, names []string) ([]uint64, map[uint64]string) {
	files := map[uint64]string{}
	var gens []uint64
	current := ""
	for _, n := range names {
		if n == currentLogName(prefix) {
			current = filepath.Join(folder, n)
			continue
		}
		p, g, ok := parseLogName(n)
		if ok && p == prefix {
			files[g] = filepath.Join(folder, n)
			gens = append(gens, g)
		}
	}
	if current != "" {
		// A crash between a roll's rename and the new Enn.log leaves no duplicate: a
		// numbered file of the same generation would win, being the complete one.
		if g, ok := currentGeneration(current); ok && files[g] == "" {
			files[g] = current
			gens = append(gens, g)
		}
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i] < gens[j] })
	return gens, files
}

// currentLogName is Enn.log: the generation ESE is writing, renamed EnnXXXXXXXX.log
// when it fills (or when the stream rolls at a mount).
func currentLogName(prefix string) string { return prefix + ".log" }

// isLogFile reports whether name is a log file of some stream: EnnXXXXXXXX.log or Enn.log.
func isLogFile(name string) bool {
	if _, _, ok := parseLogName(name); ok {
		return true
	}
	return len(name) == 3+4 && strings.HasSuffix(name, ".log") && validPrefix(name[:3])
}

// currentGeneration reads the generation in the header line of Enn.log at path (false
// when it has no readable header: a file that holds no record either).
func currentGeneration(path string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := f.Read(buf)
	line := buf[:n]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	} else {
		return 0, false
	}
	fields := strings.Fields(string(line))
	if len(fields) != 4 || fields[0] != logMagic || !strings.HasPrefix(fields[2], "generation=") {
		return 0, false
	}
	g, err := strconv.ParseUint(strings.TrimPrefix(fields[2], "generation="), 16, 64)
	return g, err == nil
}

// logWriter appends records to a database's log stream.
type logWriter struct {
	folder, prefix, sig string
	gen                 uint64
	n                   int // records in the current generation
	f                   *os.File
	// With track, gens receives the generation of every record appended.
	track bool
	gens  []uint64
	// unsynced holds the generations filled during this append and not yet fsynced:
	// append syncs them all at its end, in order, before it returns (one sync pass per
	// append instead of one fsync at every roll).
	unsynced []string
}

// openLogWriter positions a writer at the end of the stream (prefix, sig) in folder.
// With fresh, or when the newest file is full or of another stream, it starts a new
// generation after both the newest file and the checkpoint.
func openLogWriter(folder, prefix, sig string, checkpoint uint64, fresh bool, lim Limits) (*logWriter, error) {
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return nil, err
	}
	gens, files, err := listLogs(folder, prefix)
	if err != nil {
		return nil, err
	}
	w := &logWriter{folder: folder, prefix: prefix, sig: sig}
	var newest uint64
	if len(gens) > 0 {
		newest = gens[len(gens)-1]
	}
	if !fresh && newest > 0 && newest > checkpoint {
		lf, err := readLog(files[newest], lim)
		if isLimit(err) {
			return nil, err // too large to read: not a damaged log to write past
		}
		if errors.Is(err, errTornTail) {
			// The torn record was never applied nor acknowledged: cut it off, as ESE does.
			if err = os.Truncate(files[newest], int64(lf.Size)); err != nil {
				return nil, err
			}
		}
		// Any other error is a damaged newest log: it is kept for replay to name, and
		// the writer starts a new generation after it instead of appending to it.
		// Only the current generation (Enn.log) is appended to: a numbered file is a
		// closed generation (a backup may hold a copy of it).
		if err == nil && lf.Signature == sig && len(lf.Records) < recordsPerGeneration && filepath.Base(files[newest]) == currentLogName(prefix) {
			f, err := os.OpenFile(files[newest], os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return nil, err
			}
			w.gen, w.n, w.f = newest, len(lf.Records), f
			return w, nil
		}
	}
	next := max(newest, checkpoint) + 1
	if err := w.start(next); err != nil {
		return nil, err
	}
	return w, nil
}

// start creates generation gen as Enn.log and makes it current. The previous current
// generation is closed and renamed EnnXXXXXXXX.log, as ESE does when a log fills; its
// fsync waits for append's sync pass: nothing in it is acknowledged before then.
func (w *logWriter) start(gen uint64) error {
	if w.f != nil {
		if err := w.f.Close(); err != nil {
			return err
		}
		w.f = nil
		if err := w.rollCurrent(w.gen); err != nil {
			return err
		}
	} else if err := w.rollCurrent(0); err != nil {
		return err
	}
	path := filepath.Join(w.folder, currentLogName(w.prefix))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("start log generation %d: %w", gen, err)
	}
	if _, err := f.Write(logHeader(w.prefix, gen, w.sig)); err != nil {
		f.Close()
		return err
	}
	w.gen, w.n, w.f = gen, 0, f
	return nil
}

// rollCurrent renames Enn.log to its numbered name: generation gen, or (gen 0) the one
// its header names. An Enn.log whose header cannot be read holds no record; it is kept
// aside under a name no stream uses, never deleted.
func (w *logWriter) rollCurrent(gen uint64) error {
	cur := filepath.Join(w.folder, currentLogName(w.prefix))
	if !exists(cur) {
		return nil
	}
	if gen == 0 {
		g, ok := currentGeneration(cur)
		if !ok {
			return os.Rename(cur, cur+fmt.Sprintf(".unreadable-%d", time.Now().UnixNano()))
		}
		gen = g
	}
	dst := filepath.Join(w.folder, logFileName(w.prefix, gen))
	if exists(dst) {
		return fmt.Errorf("roll %s: %s already exists", cur, dst)
	}
	if err := os.Rename(cur, dst); err != nil {
		return err
	}
	w.unsynced = append(w.unsynced, dst)
	return nil
}

// append writes records, rolling every recordsPerGeneration, and makes them durable.
func (w *logWriter) append(recs []logRecord) error {
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		_, err := w.f.Write(buf)
		buf = buf[:0]
		return err
	}
	for _, r := range recs {
		if w.n >= recordsPerGeneration {
			if err := flush(); err != nil {
				return err
			}
			if err := w.start(w.gen + 1); err != nil {
				return err
			}
		}
		line, err := encodeRecord(r)
		if err != nil {
			return err
		}
		buf = append(buf, line...)
		w.n++
		if w.track {
			w.gens = append(w.gens, w.gen)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := w.syncFilled(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	return syncDir(w.folder)
}

// syncFilled fsyncs and closes the generations filled since the last sync pass, oldest
// first. The records of an append are acknowledged (applied to the .edb, reported)
// only after this and the directory sync, so a crash before it loses only records
// nobody was told about: the same promise as one fsync per generation, with one
// filesystem commit instead of one per 64 records.
func (w *logWriter) syncFilled() error {
	var first error
	for _, path := range w.unsynced {
		// Closed at the roll (a file is renamed only once closed, which Windows needs);
		// an fsync through a new handle flushes what the old one wrote.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			err = f.Sync()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil && first == nil {
			first = err
		}
	}
	w.unsynced = nil
	return first
}

func (w *logWriter) close() error {
	err := w.syncFilled()
	if w.f == nil {
		return err
	}
	if serr := w.f.Sync(); err == nil {
		err = serr
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

// checkpointFile is Enn.chk in the log folder: the last generation in the .edb.
func writeCheckpointFile(folder, prefix string, gen uint64) error {
	return writeFileAtomic(checkpointPath(folder, prefix), checkpointLine(gen))
}

func checkpointPath(folder, prefix string) string { return filepath.Join(folder, prefix+".chk") }

func checkpointLine(gen uint64) []byte { return []byte(fmt.Sprintf("checkpoint %08X\n", gen)) }
