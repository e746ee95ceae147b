package model

import (
	"fmt"
	"os"
	"path/filepath"
)

// ReadTenX reads a 10x Genomics matrix folder (Cell Ranger's
// filtered_feature_bc_matrix): matrix.mtx (genes × cells, Matrix Market),
// features.tsv (or genes.tsv, older) and barcodes.tsv, each optionally
// gzipped. It returns cells × genes, the orientation the rest of poisfact
// expects (rows are the units, columns the vocabulary), with the barcodes
// as row labels and the feature lines (ID, name, type, tab-separated) as
// column labels, so the user never transposes by hand.
func ReadTenX(dir string) (*Counts, error) {
	find := func(names ...string) (string, error) {
		for _, n := range names {
			for _, name := range []string{n + ".gz", n} {
				p := filepath.Join(dir, name)
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
			}
		}
		return "", fmt.Errorf("%s: %w: not a 10x matrix folder: no %s(.gz)", dir, ErrFormat, names[0])
	}
	mtx, err := find("matrix.mtx")
	if err != nil {
		return nil, err
	}
	feat, err := find("features.tsv", "genes.tsv")
	if err != nil {
		return nil, err
	}
	bar, err := find("barcodes.tsv")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(mtx)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	genesByCells, err := ReadMatrixMarket(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mtx, err)
	}
	genes, err := readLabelFile(feat)
	if err != nil {
		return nil, err
	}
	cells, err := readLabelFile(bar)
	if err != nil {
		return nil, err
	}
	if len(genes) != genesByCells.Rows() {
		return nil, fmt.Errorf("%w: %s has %d lines for the %d genes (rows) of %s", ErrShape, feat, len(genes), genesByCells.Rows(), mtx)
	}
	if len(cells) != genesByCells.Cols() {
		return nil, fmt.Errorf("%w: %s has %d lines for the %d cells (columns) of %s", ErrShape, bar, len(cells), genesByCells.Cols(), mtx)
	}
	return genesByCells.T().WithLabels(cells, genes)
}

// T returns the transpose of c (labels swapped), built from its
// column-major view in O(nnz + n + p).
func (c *Counts) T() *Counts {
	t := &Counts{n: c.p, p: c.n, consts: c.consts, total: c.total,
		rowLabels: c.colLabels, colLabels: c.rowLabels}
	t.rowPtr = c.colPtr
	t.colIdx = c.rowIdx
	t.val = make([]float64, len(c.val))
	for e, pos := range c.cscPos {
		t.val[e] = c.val[pos]
	}
	t.rowSum, t.colSum = c.colSum, c.rowSum
	t.buildCSC()
	return t
}
