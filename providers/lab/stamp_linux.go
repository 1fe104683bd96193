//go:build linux

package lab

import (
	"os"
	"syscall"
)

// stampOf fills the parts of a file's stamp only the platform knows: the inode and the
// change time (which no program can set back, unlike the modification time).
func stampOf(st os.FileInfo) fileStamp {
	s := fileStamp{Size: st.Size(), ModNs: st.ModTime().UnixNano()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		s.Ino = uint64(sys.Ino)
		s.ChangeNs = int64(sys.Ctim.Sec)*1e9 + int64(sys.Ctim.Nsec)
	}
	return s
}
