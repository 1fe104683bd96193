package lab

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// One walk of a server gives what treeSize and listLogs give folder by folder.
func TestServerTreeMatchesTreeSizeAndListLogs(t *testing.T) {
	l := newLab(t, 3)
	mustDeliver(t, l, "db01-user0001@contoso.com", 200) // several log generations
	root := filepath.Join(l.dir, "servers", "EX01")
	// A stray subfolder and files a log listing must ignore.
	if err := os.MkdirAll(filepath.Join(root, "D", "Databases", "DB01", "Logs", "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Logs/sub/E0000000001.log", "Logs/E0100000001.log", "Logs/x.tmp"} {
		if err := os.WriteFile(filepath.Join(root, "D", "Databases", "DB01", filepath.FromSlash(f)), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := walkServer(root)
	if err != nil {
		t.Fatal(err)
	}
	used, err := l.usedBytes("EX01")
	if err != nil || tree.total() != used {
		t.Fatalf("total %d, usedBytes %d (%v)", tree.total(), used, err)
	}
	for _, db := range []string{"DB01", "DB02"} {
		folder := filepath.Join(root, "D", "Databases", db, "Logs")
		if !tree.within(folder) || tree.within(root+"x") {
			t.Fatal("within is wrong")
		}
		n, err := treeSize(folder)
		if err != nil || n != tree.size(folder) {
			t.Fatalf("%s: treeSize %d, walk %d (%v)", db, n, tree.size(folder), err)
		}
		for _, prefix := range []string{"E00", "E01", "E02"} {
			gens, files, err := listLogs(folder, prefix)
			if err != nil {
				t.Fatal(err)
			}
			g2, f2 := tree.logs(folder, prefix)
			if !reflect.DeepEqual(gens, g2) || !reflect.DeepEqual(files, f2) {
				t.Fatalf("%s %s: listLogs %v, walk %v", db, prefix, gens, g2)
			}
		}
	}
	if missing, _ := walkServer(filepath.Join(l.dir, "servers", "NOPE")); missing.total() != 0 {
		t.Fatal("a missing server has bytes")
	}
}
