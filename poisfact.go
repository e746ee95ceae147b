// Package poisfact is the top of the poisfact module: Bayesian Poisson
// factorization of count matrices in Go. The work is done by its
// packages:
//
//	model       the sparse Counts matrix, file formats, splits, Rates, the HPF posterior, saved models
//	inference   hierarchical Poisson factorization by CAVI, fold-in of new rows
//	mle         Poisson maximum likelihood (KL-NMF) by multiplicative updates or coordinate descent
//	compare     the NLL = D + C(X) checks
//	evaluation  ranking metrics, recommendations, intervals, choosing K, side-by-side fits
//
// This package itself only carries the three small data sets shipped in
// testdata/, embedded, so that the command and the examples run anywhere
// without a file.
package poisfact

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/poisfact/poisfact/model"
)

//go:embed testdata/onlineretail/matrix.mtx.gz testdata/onlineretail/rows.txt testdata/onlineretail/cols.txt
//go:embed testdata/janeausten/matrix.mtx.gz testdata/janeausten/rows.txt testdata/janeausten/cols.txt
//go:embed testdata/pbmc_small/matrix.mtx.gz testdata/pbmc_small/rows.txt testdata/pbmc_small/cols.txt
var shipped embed.FS

// Datasets names the embedded data sets: onlineretail (customers ×
// products, invoice counts, CC0), janeausten (novel chapters × words,
// public domain) and pbmc_small (cells × genes, UMI counts, CC BY 4.0).
// Their sources and licences are in testdata/NAME/README.txt.
var Datasets = []string{"onlineretail", "janeausten", "pbmc_small"}

// Dataset returns the embedded data set of that name with its labels.
func Dataset(name string) (*model.Counts, error) {
	dir := path.Join("testdata", name)
	f, err := shipped.Open(path.Join(dir, "matrix.mtx.gz"))
	if err != nil {
		return nil, fmt.Errorf("poisfact: no embedded data set %q (have %v)", name, Datasets)
	}
	defer f.Close()
	x, err := model.ReadMatrixMarket(f)
	if err != nil {
		return nil, fmt.Errorf("poisfact: embedded %s: %w", name, err)
	}
	labels := func(file string) []string {
		data, err := fs.ReadFile(shipped, path.Join(dir, file))
		if err != nil {
			return nil
		}
		l, _ := model.ReadLabels(bytes.NewReader(data))
		return l
	}
	return x.WithLabels(labels("rows.txt"), labels("cols.txt"))
}
