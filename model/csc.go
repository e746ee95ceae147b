package model

import (
	"runtime"
	"slices"

	"github.com/poisfact/poisfact/internal/parallel"
)

// maxBuildBlocks bounds the row blocks buildCSC splits the matrix into:
// each costs p int64s of counters, and past a few the passes are bound by
// memory bandwidth, not by cores.
const maxBuildBlocks = 8

// buildCSC fills the column-major view from the CSR arrays: a parallel
// transpose in two passes over the non-zeros. The rows are cut into
// blocks of about equal non-zeros; pass one counts each block's entries
// per column, which gives every (block, column) pair its own output range;
// pass two has each block write its entries there. Inside a column the
// blocks come in row order and each block walks its rows in order, so the
// rows of every column are ascending and the result is the same for any
// number of blocks.
func (c *Counts) buildCSC() { c.buildCSCBlocks(buildBlocks(len(c.val))) }

// buildCSCBlocks is buildCSC with at most the given number of row blocks.
func (c *Counts) buildCSCBlocks(blocks int) {
	nnz := int64(len(c.val))
	rows := blocksOf(c.rowPtr, blocks)
	blocks = rows.Len()

	// next[b*p+i]: where block b writes its next entry of column i.
	p := c.p
	next := make([]int64, blocks*p)
	rows.Run(blocks, func(_, b, lo, hi int) {
		cnt := next[b*p : (b+1)*p]
		for _, i := range c.colIdx[c.rowPtr[lo]:c.rowPtr[hi]] {
			cnt[i]++
		}
	})
	c.colPtr = slices.Grow(c.colPtr[:0], p+1)[:p+1] // SubRowsInto's arrays are reused
	var at int64
	for i := 0; i < p; i++ {
		c.colPtr[i] = at
		for b := 0; b < blocks; b++ {
			k := next[b*p+i]
			next[b*p+i] = at
			at += k
		}
	}
	c.colPtr[p] = at

	c.rowIdx = slices.Grow(c.rowIdx[:0], int(nnz))[:nnz]
	c.cscPos = slices.Grow(c.cscPos[:0], int(nnz))[:nnz]
	rows.Run(blocks, func(_, b, lo, hi int) {
		nx := next[b*p : (b+1)*p]
		for u := lo; u < hi; u++ {
			for e := c.rowPtr[u]; e < c.rowPtr[u+1]; e++ {
				i := c.colIdx[e]
				d := nx[i]
				nx[i]++
				c.rowIdx[d] = int32(u)
				c.cscPos[d] = int32(e)
			}
		}
	})
}

// buildBlocks is the number of row blocks the passes over nnz non-zeros
// that build and check a Counts run in: one per processor, at most
// maxBuildBlocks, and one for small matrices, where starting goroutines
// costs more than it saves.
func buildBlocks(nnz int) int {
	return min(runtime.GOMAXPROCS(0), maxBuildBlocks, max(1, nnz>>16))
}

// blocksOf cuts the rows (or columns) indexed by the offsets ptr into at
// most blocks consecutive ranges of about equal entries; each is run on
// its own goroutine (Chunks.Run with as many workers as blocks).
func blocksOf(ptr []int64, blocks int) parallel.Chunks {
	return parallel.Cut(len(ptr)-1, blocks, 1, func(j int) int64 { return ptr[j+1] - ptr[j] })
}
