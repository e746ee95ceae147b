package main

import (
	"fmt"
	"io"
	"time"

	"github.com/poisfact/poisfact/model"
)

// runConvert rewrites a count matrix in another format: any readable one
// (Matrix Market, triplets, the binary .pfb, a 10x folder) to any
// writable one (.mtx, .tsv, .csv, optionally .gz, or .pfb), labels kept;
// with -shards, to a folder of binary row shards (model.WriteShards) for
// the Beam fit.
func runConvert(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("convert", "IN OUT", stderr)
	shards := fs.Int("shards", 0, "write OUT as a folder of this many row shards of about equal non-zeros (part-SSSSS-of-NNNNN.pfb), for poisfact-beam (0: one file)")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	if len(pos) != 2 {
		return fail(stderr, "convert", usagef("want IN and OUT, got %d arguments", len(pos)))
	}
	if *shards < 0 {
		return fail(stderr, "convert", usagef("-shards %d: want 0 (one file) or more", *shards))
	}
	start := time.Now()
	x, err := readCounts(pos[0])
	if err != nil {
		return fail(stderr, "convert", err)
	}
	read := time.Since(start)
	if *shards > 0 {
		paths, err := model.WriteShards(pos[1], x, *shards)
		if err != nil {
			return fail(stderr, "convert", usageError{err})
		}
		fmt.Fprintf(stdout, "wrote %d shards to %s: %d × %d, %d non-zeros (read in %s, written in %s)\n", len(paths), pos[1], x.Rows(), x.Cols(), x.NNZ(),
			read.Round(time.Millisecond), (time.Since(start) - read).Round(time.Millisecond))
		return 0
	}
	if err := model.WriteFile(pos[1], x); err != nil {
		return fail(stderr, "convert", usageError{err})
	}
	fmt.Fprintf(stdout, "wrote %s: %d × %d, %d non-zeros (read in %s, written in %s)\n", pos[1], x.Rows(), x.Cols(), x.NNZ(),
		read.Round(time.Millisecond), (time.Since(start) - read).Round(time.Millisecond))
	return 0
}
