package state

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Two holders never overlap: each takes the lock, marks itself inside, and checks
// that nobody else is.
func TestLockPathExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	var mu sync.Mutex
	inside := 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				unlock, err := LockPath(path)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				inside++
				if inside != 1 {
					t.Errorf("%d holders at once", inside)
				}
				mu.Unlock()
				time.Sleep(50 * time.Microsecond) // room for another holder, were the lock not one
				mu.Lock()
				inside--
				mu.Unlock()
				unlock()
			}
		}()
	}
	wg.Wait()
}
