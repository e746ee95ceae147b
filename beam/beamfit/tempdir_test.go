package beamfit

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPrivateTempDir: while it holds, os.TempDir is a new directory
// inside the previous one; restoring removes it with what it holds and
// puts TMPDIR back, whether or not it was set.
func TestPrivateTempDir(t *testing.T) {
	for _, set := range []bool{true, false} {
		parent := t.TempDir()
		if set {
			t.Setenv("TMPDIR", parent)
		} else {
			t.Setenv("TMPDIR", "")
			os.Unsetenv("TMPDIR")
		}
		before := os.TempDir()
		restore, err := PrivateTempDir()
		if err != nil {
			t.Fatal(err)
		}
		dir := os.TempDir()
		if dir == before || filepath.Dir(dir) != before {
			t.Fatalf("TMPDIR set %v: private directory %q, want a new one inside %q", set, dir, before)
		}
		if err := os.WriteFile(filepath.Join(dir, "beamloopbackworker-1"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := restore(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("TMPDIR set %v: %q still there (%v)", set, dir, err)
		}
		if v, ok := os.LookupEnv("TMPDIR"); ok != set || (set && v != parent) {
			t.Fatalf("TMPDIR set %v: after restore TMPDIR = %q, %v", set, v, ok)
		}
	}
}
