//go:build !linux

package lab

import "os"

// stampOf is size and modification time where the platform gives nothing more.
func stampOf(st os.FileInfo) fileStamp {
	return fileStamp{Size: st.Size(), ModNs: st.ModTime().UnixNano()}
}
