package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Disk space: a server's CapacityBytes is the disk of its database volumes, and every
// file under servers/NAME counts against it (one pool for all its drive letters). A
// write that would go past the capacity fails before any byte is written. What is
// checked: file copies (copy_files, copy_logs, move_files, restore_backup) and log
// writes (delivery, merges, the generation a mount or backup starts). The .edb's own
// growth is not: bbolt grows its file in steps, and the lab treats that slack as the
// reserve the store keeps to stop cleanly (4.6).

// diskFullError is a write refused for lack of room.
type diskFullError struct {
	Server               string
	Capacity, Used, Need int64
}

func (e *diskFullError) Error() string {
	return fmt.Sprintf("disk full on server %s: capacity %d bytes, %d used, the operation needs %d bytes but only %d are free",
		e.Server, e.Capacity, e.Used, e.Need, max(e.Capacity-e.Used, 0))
}

func isDiskFull(err error) bool {
	var d *diskFullError
	return errors.As(err, &d)
}

// usedBytes is the size of every file under the server's folder.
func (l *Lab) usedBytes(server string) (int64, error) {
	if err := checkName(server); err != nil {
		return 0, err
	}
	return treeSize(filepath.Join(l.dir, "servers", server))
}

// treeSize sums the sizes of the regular files under root (0 if root is missing).
func treeSize(root string) (int64, error) {
	var n int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// needRoom refuses a write of need bytes on server when its capacity is set and the
// bytes are not free.
func (s *session) needRoom(server string, need int64) error {
	srv := s.org.server(server)
	if srv == nil || srv.CapacityBytes <= 0 || need <= 0 {
		return nil
	}
	used, err := s.l.usedBytes(server)
	if err != nil {
		return err
	}
	if used+need > srv.CapacityBytes {
		return &diskFullError{Server: server, Capacity: srv.CapacityBytes, Used: used, Need: need}
	}
	return nil
}

// copyNeed is the number of bytes copying pairs (source, destination) writes: the
// sources whose destination does not exist yet.
func copyNeed(pairs [][2]string) (int64, error) {
	var n int64
	for _, p := range pairs {
		if exists(p[1]) {
			continue
		}
		st, err := os.Stat(p[0])
		if err != nil {
			return 0, err
		}
		n += st.Size()
	}
	return n, nil
}

// serverUp refuses file work on a server that is down: its disks cannot be reached.
func (s *session) serverUp(server string) error {
	srv := s.org.server(server)
	if srv == nil {
		return fmt.Errorf("server %q does not exist", server)
	}
	if !srv.Up {
		return fmt.Errorf("server %s is down: its files cannot be reached until it is recovered", srv.Name)
	}
	return nil
}

// serverOfPath is the server whose folder holds path ("" when it is outside servers/).
func (s *session) serverOfPath(path string) string {
	rel, err := filepath.Rel(filepath.Join(s.l.dir, "servers"), path)
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
	if first == ".." || first == "." {
		return ""
	}
	return first
}

// roomFor refuses copying pairs onto server when the bytes are not free there.
func (s *session) roomFor(server string, pairs [][2]string) error {
	need, err := copyNeed(pairs)
	if err != nil {
		return err
	}
	return s.needRoom(server, need)
}
