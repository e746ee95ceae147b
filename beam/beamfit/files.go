package beamfit

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	// Local files, Google Cloud Storage and S3: the filesystems a fit's
	// shards and work folder may be on.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"

	"github.com/poisfact/poisfact/model"
)

// openFS returns the Beam filesystem that holds name, or an error naming
// the scheme that none registered.
func openFS(ctx context.Context, name string) (filesystem.Interface, error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, firstLine(err.Error()))
	}
	return fs, nil
}

// firstLine folds a message that goes on over lines (Beam's errors add
// context, import advice and stacks on lines of their own) into one line
// of at most 400 bytes.
func firstLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	s = strings.Join(parts, ": ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// readFile returns the contents of name.
func readFile(ctx context.Context, name string) ([]byte, error) {
	fs, err := openFS(ctx, name)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, firstLine(err.Error()))
	}
	defer r.Close()
	var buf bytes.Buffer
	if size, err := fs.Size(ctx, name); err == nil && size > 0 {
		buf.Grow(int(size) + 1) // one read into place, not a doubling copy per read
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("%s: %v", name, firstLine(err.Error()))
	}
	return buf.Bytes(), nil
}

// writeFile writes b to name, through a temporary name and a rename where
// the filesystem renames (local files), so that a reader never sees part
// of a file; elsewhere (object stores) a write is whole or absent anyway.
func writeFile(ctx context.Context, name string, b []byte) error {
	fs, err := openFS(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	target := name
	rn, renames := fs.(filesystem.Renamer)
	if renames {
		target = name + ".tmp"
	}
	w, err := fs.OpenWrite(ctx, target)
	if err != nil {
		return fmt.Errorf("%s: %v", target, firstLine(err.Error()))
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return fmt.Errorf("%s: %v", target, firstLine(err.Error()))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %v", target, firstLine(err.Error()))
	}
	if renames {
		if err := rn.Rename(ctx, target, name); err != nil {
			return fmt.Errorf("%s: %v", name, firstLine(err.Error()))
		}
	}
	return nil
}

// removeFile removes name where the filesystem removes; elsewhere it is
// left (an object store's lifecycle rules can clean the work folder).
func removeFile(ctx context.Context, name string) {
	fs, err := openFS(ctx, name)
	if err != nil {
		return
	}
	defer fs.Close()
	if rm, ok := fs.(filesystem.Remover); ok {
		rm.Remove(ctx, name)
	}
}

// exists reports whether name can be opened for reading.
func exists(ctx context.Context, name string) bool {
	fs, err := openFS(ctx, name)
	if err != nil {
		return false
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, name)
	if err != nil {
		return false
	}
	r.Close()
	return true
}

// writeCoded writes v to name in the codec of codec.go; readCoded reads
// it back.
func writeCoded(ctx context.Context, name string, v any) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return writeFile(ctx, name, b)
}

func readCoded(ctx context.Context, name string, v any) error {
	b, err := readFile(ctx, name)
	if err != nil {
		return err
	}
	return unmarshal(name, b, v)
}

// join appends elements to a folder that may be a URL (gs://b/x) or a
// local path.
func join(dir string, elem ...string) string {
	return strings.TrimSuffix(dir, "/") + "/" + path.Join(elem...)
}

// shard is one row shard of the input as a pipeline element: its number,
// its file, its first row and its shape.
type shard struct {
	Index, Lo, Rows, Cols int
	Path                  string
}

// plan is the input's shards and the matrix they make.
type plan struct {
	Shards  []shard
	N, P    int
	NNZ     int
	Pattern string
}

// listShards finds the shards that pattern (a glob on any Beam filesystem)
// matches and reads their headers: every shard must be there once (by
// its name) and all must have the same columns. Errors name the shard.
func listShards(ctx context.Context, pattern string) (*plan, error) {
	fs, err := openFS(ctx, pattern)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	names, err := fs.List(ctx, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", pattern, firstLine(err.Error()))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no files match", pattern)
	}
	ordered, err := model.OrderShards(names)
	if err != nil {
		return nil, err
	}
	pl := &plan{Pattern: pattern}
	for s, name := range ordered {
		size, err := fs.Size(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, firstLine(err.Error()))
		}
		r, err := fs.OpenRead(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, firstLine(err.Error()))
		}
		n, p, nnz, err := model.ReadBinaryShape(r, size)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if s > 0 && p != pl.P {
			return nil, fmt.Errorf("%s: %w: %d columns, but %s has %d: shards of different matrices", name, model.ErrShape, p, ordered[0], pl.P)
		}
		pl.Shards = append(pl.Shards, shard{Index: s, Lo: pl.N, Rows: n, Cols: p, Path: name})
		pl.N, pl.P, pl.NNZ = pl.N+n, p, pl.NNZ+nnz
	}
	return pl, nil
}

// readShard reads a shard's counts and checks them against the plan's
// shape for it, which came from its header before the fit.
func readShard(ctx context.Context, sh shard) (*model.Counts, error) {
	b, err := readFile(ctx, sh.Path)
	if err != nil {
		return nil, err
	}
	x, err := model.ReadBinary(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.Path, err)
	}
	if x.Rows() != sh.Rows || x.Cols() != sh.Cols {
		return nil, fmt.Errorf("%s: %w: %d × %d now, %d × %d when the fit began (replaced?)", sh.Path, model.ErrShape, x.Rows(), x.Cols(), sh.Rows, sh.Cols)
	}
	return x, nil
}
