package model

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/poisfact/poisfact/internal/parallel"
)

// Row shards are how a matrix too large for one machine is held: blocks
// of consecutive rows, each with every column, in binary files named
// part-SSSSS-of-NNNNN.pfb (ShardName), so that a runner can list them,
// read each on its own and know from the names alone whether one is
// missing. Shard s holds the rows that follow those of shards 0..s−1.

// SplitRows cuts c into at most shards blocks of consecutive rows with
// about equal non-zeros (a row counts as one non-zero more, so that empty
// rows spread out too), each with all of c's columns, its rows' labels
// and the column labels. It returns the blocks and the first row of each.
func (c *Counts) SplitRows(shards int) ([]*Counts, []int, error) {
	if shards < 1 {
		return nil, nil, fmt.Errorf("%w: %d shards: want at least 1", ErrShape, shards)
	}
	cut := parallel.Cut(c.n, shards, 1, func(u int) int64 { return c.rowPtr[u+1] - c.rowPtr[u] })
	blocks := make([]*Counts, 0, cut.Len())
	starts := make([]int, 0, cut.Len())
	for b := 0; b < cut.Len(); b++ {
		lo, hi := cut.Bounds[b], cut.Bounds[b+1]
		rows := make([]int, hi-lo)
		for j := range rows {
			rows[j] = lo + j
		}
		x, err := c.SubRows(rows)
		if err != nil {
			return nil, nil, err
		}
		if c.rowLabels != nil {
			x.rowLabels = c.rowLabels[lo:hi:hi]
		}
		blocks, starts = append(blocks, x), append(starts, lo)
	}
	return blocks, starts, nil
}

// ShardName returns the file name of shard s of count.
func ShardName(s, count int) string {
	return fmt.Sprintf("part-%05d-of-%05d.pfb", s, count)
}

var shardNameRE = regexp.MustCompile(`^part-(\d{5,})-of-(\d{5,})\.pfb$`)

// OrderShards puts the files of a set of row shards in shard order from
// their names (the last element of each path, ShardName's form): every
// shard of one count must be there once. It names the first shard missing,
// repeated or of another count.
func OrderShards(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no shard files", ErrFormat)
	}
	byShard := make(map[int]string, len(paths))
	count := -1
	for _, p := range paths {
		m := shardNameRE.FindStringSubmatch(path.Base(filepath.ToSlash(p)))
		if m == nil {
			return nil, fmt.Errorf("%s: %w: not a shard's name (want part-SSSSS-of-NNNNN.pfb)", p, ErrFormat)
		}
		s, err1 := strconv.Atoi(m[1])
		n, err2 := strconv.Atoi(m[2])
		switch {
		case err1 != nil || err2 != nil || n < 1 || s >= n:
			return nil, fmt.Errorf("%s: %w: shard %s of %s", p, ErrFormat, m[1], m[2])
		case count >= 0 && n != count:
			return nil, fmt.Errorf("%s: %w: a shard of %d among shards of %d", p, ErrFormat, n, count)
		}
		count = n
		if other, ok := byShard[s]; ok {
			return nil, fmt.Errorf("%s: %w: shard %d is also %s", p, ErrFormat, s, other)
		}
		byShard[s] = p
	}
	// The first missing shard is at most the number found.
	for s := 0; s <= len(byShard) && s < count; s++ {
		if _, ok := byShard[s]; !ok {
			return nil, fmt.Errorf("%w: shard %s is missing (%d of %d shards found)", ErrFormat, ShardName(s, count), len(byShard), count)
		}
	}
	ordered := make([]string, count)
	for s, p := range byShard {
		ordered[s] = p
	}
	return ordered, nil
}

// WriteShards writes c as at most shards row shards (SplitRows) into dir,
// which is made if need be, and returns their paths.
func WriteShards(dir string, c *Counts, shards int) ([]string, error) {
	blocks, _, err := c.SplitRows(shards)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	paths := make([]string, len(blocks))
	for s, b := range blocks {
		paths[s] = filepath.Join(dir, ShardName(s, len(blocks)))
		if err := WriteFile(paths[s], b); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
