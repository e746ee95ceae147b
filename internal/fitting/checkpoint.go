package fitting

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/poisfact/poisfact/internal/osutil"
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

// SaveState writes v (gob) to dir/name atomically (osutil.WriteAtomic).
func SaveState(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	err := osutil.WriteAtomic(filepath.Join(dir, name), func(w io.Writer) error { return gob.NewEncoder(w).Encode(v) })
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Check reports whether Dir can hold a checkpoint (it is, or can be made,
// a writable directory), so that a bad directory is found before the
// fit, not at its first checkpoint.
func (c *Checkpoint) Check() error {
	if err := os.MkdirAll(c.Dir, 0o777); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	f, err := os.CreateTemp(c.Dir, ".probe*")
	if err != nil {
		return fmt.Errorf("checkpoint: %s is not writable: %w", c.Dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
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

// When says whether iteration t writes a checkpoint before its check or
// after it, given whether t is a regular check and whether it is the last
// iteration. Before: the check forced by the last iteration is not one a
// longer fit makes, so the state is taken without it, and a resumed fit
// with a higher limit goes on as if it never happened. After: every
// Interval iterations and at a regular last check. A check that stops
// the fit writes nothing (resumed from the previous checkpoint, the fit
// comes to the same stop), so callers skip after when it stopped. A nil
// Checkpoint never writes.
func (c *Checkpoint) When(t int, regular, last bool) (before, after bool) {
	if c == nil {
		return false, false
	}
	before = last && !regular
	after = t%c.Interval() == 0 && !before || last && regular
	return before, after
}
