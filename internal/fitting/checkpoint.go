package fitting

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Checkpoint makes a fit write its state to Dir every Every iterations, at
// its last iteration and when cancelled, so that a fit interrupted (by a
// signal, a crash, or its iteration limit) can continue. inference and
// mle re-export it.
type Checkpoint struct {
	// Dir is the directory of the state file (created when missing).
	Dir string
	// Every is the number of iterations (sweeps) between writes. Zero
	// means 10.
	Every int
	// Resume, when set and Dir holds the state of a fit of the same data
	// and settings (the iteration limit aside), continues that fit: the
	// result is bit-identical to the uninterrupted fit's (parameters,
	// objective and criterion values, the iteration kept and the stopping
	// iteration; only the times differ). Without a state file the fit
	// starts afresh.
	Resume bool
}

// Interval returns Every, or its default 10.
func (c *Checkpoint) Interval() int {
	if c.Every > 0 {
		return c.Every
	}
	return 10
}

// SaveState writes v (gob) to dir/name atomically: a temporary file,
// synced, renamed over the old state.
func SaveState(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := gob.NewEncoder(tmp).Encode(v); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// LoadState reads dir/name into v; found is false when there is no such
// file.
func LoadState(dir, name string, v any) (found bool, err error) {
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(v); err != nil {
		return false, fmt.Errorf("checkpoint %s: %v (corrupt, or written by another version)", f.Name(), err)
	}
	return true, nil
}
