package lab

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dialtone/dialtone/providers"
)

// The lab's operations take milliseconds; Exchange's take seconds to minutes. With a
// latency model (provider "lab" { latency = "exchange" }) every operation lasts what
// the model says it would on Exchange, so that a drill or an apply shows what a real
// recovery will take and a walk of fifty recoveries meets Exchange's time, not the
// lab's. time_scale shortens the waits (0.01: a modelled minute lasts 0.6 s) while the
// lab's clock (Now) runs at the modelled pace, so that step records, reports and
// estimates show modelled times.

// Latency keys: one per operation kind (its fixed cost), and the rates below.
const (
	LatencyPerMailboxRehomed = "per_mailbox_rehomed" // each mailbox Set-Mailbox -Database moves
	LatencyPerMailboxMerged  = "per_mailbox_merged"  // each restore request, queued to Completed
	LatencyPerGBCopied       = "per_gb_copied"       // files copied, moved or restored
	LatencyPerGBReplayed     = "per_gb_replayed"     // transaction logs replayed (eseutil /r)
)

// ExchangeLatency is the model of latency = "exchange": what each operation costs on
// Exchange 2013-2019 on a healthy site. The basis of each figure is in
// ExchangeLatencyBasis (and in the README's table); figures without a Microsoft
// source are estimates, and every one can be overridden per operation.
var ExchangeLatency = map[string]time.Duration{
	string(providers.OpCreateDatabase):              60 * time.Second,
	string(providers.OpMountDatabase):               30 * time.Second,
	string(providers.OpDismountDatabase):            15 * time.Second,
	string(providers.OpRestartStore):                2 * time.Minute,
	string(providers.OpRemoveDatabase):              15 * time.Second,
	string(providers.OpSetAllowFileRestore):         5 * time.Second,
	string(providers.OpSetExcludedFromProvisioning): 5 * time.Second,
	string(providers.OpSetDatabaseSettings):         5 * time.Second,
	string(providers.OpRenameDatabase):              5 * time.Second,
	string(providers.OpRehomeMailboxes):             10 * time.Second,
	string(providers.OpRehomeSystemMailboxes):       10 * time.Second,
	string(providers.OpResubmitQueues):              10 * time.Second,
	string(providers.OpCopyFiles):                   5 * time.Second,
	string(providers.OpMoveFiles):                   5 * time.Second,
	string(providers.OpCopyLogs):                    5 * time.Second,
	string(providers.OpRestoreBackup):               60 * time.Second,
	string(providers.OpReplayLogs):                  20 * time.Second,
	string(providers.OpMergeMailbox):                0,
	string(providers.OpResumeRestoreRequest):        30 * time.Second,
	string(providers.OpRemoveRestoreRequests):       10 * time.Second,
	string(providers.OpDeleteFiles):                 5 * time.Second,
	LatencyPerMailboxRehomed:                        200 * time.Millisecond,
	LatencyPerMailboxMerged:                         90 * time.Second,
	LatencyPerGBCopied:                              10 * time.Second,
	LatencyPerGBReplayed:                            30 * time.Second,
}

// ExchangeLatencyBasis says where each figure of ExchangeLatency comes from.
var ExchangeLatencyBasis = map[string]string{
	string(providers.OpCreateDatabase):              "estimate: New-MailboxDatabase writes the database object to Active Directory and the Information Store must see it before a mount (Microsoft's procedures say to wait for AD replication); a minute on one site",
	string(providers.OpMountDatabase):               "estimate: Mount-Database of a new or clean database, store start and the first checkpoint; tens of seconds",
	string(providers.OpDismountDatabase):            "estimate: Dismount-Database flushes the cache to the database file",
	string(providers.OpRestartStore):                "estimate: Restart-Service MSExchangeIS stops the store (every database on the server dismounts) and starts it; the databases mount again; a minute or two",
	string(providers.OpRemoveDatabase):              "estimate: one Active Directory object removed",
	string(providers.OpSetAllowFileRestore):         "estimate: one Active Directory attribute (Set-MailboxDatabase)",
	string(providers.OpSetExcludedFromProvisioning): "estimate: one Active Directory attribute (Set-MailboxDatabase)",
	string(providers.OpSetDatabaseSettings):         "estimate: a few Active Directory attributes of one object (Set-MailboxDatabase)",
	string(providers.OpRenameDatabase):              "estimate: one Active Directory object renamed (Set-MailboxDatabase -Name)",
	string(providers.OpRehomeMailboxes):             "estimate: starting Get-Mailbox -Database X -ResultSize Unlimited through remote PowerShell",
	string(providers.OpRehomeSystemMailboxes):       "estimate: the Get-Mailbox switches for system mailboxes and archives, a handful of objects",
	string(providers.OpResubmitQueues):              "estimate: Retry-Queue -Resubmit on the transport servers",
	string(providers.OpCopyFiles):                   "estimate: start of a file copy between volumes; the data is per_gb_copied",
	string(providers.OpMoveFiles):                   "estimate: as copy_files; the data is per_gb_copied",
	string(providers.OpCopyLogs):                    "estimate: as copy_files; the data is per_gb_copied",
	string(providers.OpRestoreBackup):               "estimate: a backup application's restore job (catalog, mount of the media); the data is per_gb_copied",
	string(providers.OpReplayLogs):                  "estimate: eseutil /mh and the start of eseutil /r; the logs are per_gb_replayed",
	string(providers.OpMergeMailbox):                "the cost of a merge is per_mailbox_merged",
	string(providers.OpResumeRestoreRequest):        "estimate: Resume-MailboxRestoreRequest puts the request back in the Mailbox Replication service's queue",
	string(providers.OpRemoveRestoreRequests):       "estimate: Remove-MailboxRestoreRequest of the completed requests",
	string(providers.OpDeleteFiles):                 "estimate: deleting a database file and its log folder",
	LatencyPerMailboxRehomed:                        "estimate: Set-Mailbox -Database changes only the Active Directory attribute (homeMDB); through remote PowerShell each object is read, serialized and written: about 5 mailboxes per second",
	LatencyPerMailboxMerged:                         "estimate: a restore request is queued, picked up by the Mailbox Replication service (which runs a few requests per database at once) and finishes; a minute and a half for a mailbox of a dial tone recovery's size",
	LatencyPerGBCopied:                              "estimate: about 100 MB/s, a file copy on one 1 Gbit/s link or one disk",
	LatencyPerGBReplayed:                            "estimate: eseutil /r replays about 35 MB/s of 1 MB transaction logs",
}

// Latency is the modelled time of the lab's operations.
type Latency struct {
	// Table is the cost of each operation kind and the rates (Latency* keys); a key not
	// in it costs nothing.
	Table map[string]time.Duration
	// Scale is how much of the modelled time the lab really waits (0.01: a hundredth);
	// 0 means 1.
	Scale float64
}

// LatencyKeys lists the keys a table may set, sorted.
func LatencyKeys() []string {
	keys := make([]string, 0, len(ExchangeLatency))
	for k := range ExchangeLatency {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// modelled is the time op takes on Exchange, given what the lab found it did: res
// (mailboxes re-homed, merged) and the bytes it copied or replayed.
func (m *Latency) modelled(op providers.Operation, res providers.Result, bytes int64) time.Duration {
	t := m.Table
	d := t[string(op.Kind)]
	gb := float64(bytes) / (1 << 30)
	switch op.Kind {
	case providers.OpRehomeMailboxes, providers.OpRehomeSystemMailboxes:
		d += time.Duration(res.Count) * t[LatencyPerMailboxRehomed]
	case providers.OpMergeMailbox:
		if !res.AlreadyDone && !res.Skipped {
			d += t[LatencyPerMailboxMerged]
		}
	case providers.OpCopyFiles, providers.OpMoveFiles, providers.OpCopyLogs, providers.OpRestoreBackup:
		d += time.Duration(gb * float64(t[LatencyPerGBCopied]))
	case providers.OpReplayLogs:
		d += time.Duration(gb * float64(t[LatencyPerGBReplayed]))
	}
	return d
}

func (m *Latency) scale() float64 {
	if m.Scale <= 0 {
		return 1
	}
	return m.Scale
}

// SetLatency gives the lab's operations the modelled durations of m (nil: none, the
// default). Call it before the lab is shared between goroutines.
func (l *Lab) SetLatency(m *Latency) {
	l.latency = m
	if m != nil {
		l.clock = newScaledClock(m.scale())
	}
}

// Now is the lab's clock: the wall clock, or with a latency model scaled by its time
// scale (it runs 100 times faster at 0.01), so that the times recorded for the lab's
// operations are the modelled ones.
func (l *Lab) Now() time.Time {
	if l.clock == nil {
		return time.Now()
	}
	return l.clock.now()
}

// wait holds an operation that took real until it has lasted its modelled time (scaled).
func (l *Lab) wait(ctx context.Context, op providers.Operation, res providers.Result, real time.Duration) error {
	m := l.latency
	if m == nil {
		return nil
	}
	d := m.modelled(op, res, l.opBytes(op))
	left := time.Duration(float64(d)*m.scale()) - real
	if left <= 0 {
		return nil
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// opBytes is the size of the files an operation copied, moved, restored or replayed,
// measured where they are now (0 when unknown).
func (l *Lab) opBytes(op providers.Operation) int64 {
	var server string
	var paths []string
	switch op.Kind {
	case providers.OpCopyFiles:
		server, paths = op.Server, []string{op.DestFolder}
		if op.DestServer != "" {
			server = op.DestServer
		}
	case providers.OpMoveFiles:
		server, paths = op.Server, []string{op.DestEdbFilePath, op.DestLogFolderPath}
		if op.DestServer != "" {
			server = op.DestServer
		}
	case providers.OpRestoreBackup:
		server, paths = op.Server, []string{op.EdbFilePath, op.LogFolderPath}
	case providers.OpCopyLogs, providers.OpReplayLogs:
		server, paths = op.Server, []string{op.LogFolderPath}
	default:
		return 0
	}
	var n int64
	for _, p := range paths {
		if p == "" || server == "" {
			continue
		}
		host, err := l.hostPath(server, p)
		if err != nil {
			continue
		}
		_ = filepath.WalkDir(host, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
	}
	return n
}

// scaledClock runs from its start at 1/scale the wall clock's pace.
type scaledClock struct {
	start time.Time
	scale float64
}

func newScaledClock(scale float64) *scaledClock {
	return &scaledClock{start: time.Now(), scale: scale}
}

func (c *scaledClock) now() time.Time {
	real := time.Since(c.start)
	return c.start.Add(time.Duration(float64(real) / c.scale))
}

// ParseLatency builds the model named by name ("exchange", or "none"/"" for none)
// with overrides (table keys to durations) and scale. It says what is wrong and what
// would be right.
func ParseLatency(name string, overrides map[string]string, scale float64) (*Latency, error) {
	var base map[string]time.Duration
	switch name {
	case "", "none":
		if len(overrides) > 0 || scale != 0 {
			return nil, fmt.Errorf("latency overrides and time_scale need latency = \"exchange\"")
		}
		return nil, nil
	case "exchange":
		base = ExchangeLatency
	default:
		return nil, fmt.Errorf("latency %q is not a model the lab knows: use \"exchange\" (Exchange's durations) or \"none\" (the lab's own speed)", name)
	}
	if scale < 0 || scale > 1000 {
		return nil, fmt.Errorf("time_scale %g must be above 0 (1: real time, 0.01: a hundred times faster) and at most 1000", scale)
	}
	m := &Latency{Table: make(map[string]time.Duration, len(base)), Scale: scale}
	for k, v := range base {
		m.Table[k] = v
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := base[k]; !ok {
			return nil, fmt.Errorf("latency override %q is not an operation of the model; use one of %s", k, strings.Join(LatencyKeys(), ", "))
		}
		d, err := time.ParseDuration(overrides[k])
		if err != nil || d < 0 {
			return nil, fmt.Errorf("latency override %s = %q is not a duration: write it like \"45s\", \"2m\" or \"150ms\"", k, overrides[k])
		}
		m.Table[k] = d
	}
	return m, nil
}

// ModelledWait is how long op, which the lab carried out with the result res, lasts
// under m: its modelled time, scaled by m's time scale (0 for a nil m). The exchange
// provider's PowerShell double opens the lab without a model and waits this per cmdlet
// itself, outside its own lock.
func (l *Lab) ModelledWait(m *Latency, op providers.Operation, res providers.Result) time.Duration {
	if m == nil {
		return 0
	}
	return time.Duration(float64(m.modelled(op, res, l.opBytes(op))) * m.scale())
}
