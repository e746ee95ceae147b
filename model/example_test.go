package model_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/model"
)

// ExampleReadFile writes the embedded pbmc_small matrix as a gzipped
// Matrix Market file (its labels go to rows.txt and cols.txt beside it)
// and reads it back with its labels.
func ExampleReadFile() {
	embedded, err := poisfact.Dataset("pbmc_small")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "poisfact-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "matrix.mtx.gz")
	if err := model.WriteFile(path, embedded); err != nil {
		log.Fatal(err)
	}
	x, err := model.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	n, p := x.Dims()
	fmt.Printf("%d cells × %d genes, %d non-zeros, %.0f UMIs\n", n, p, x.NNZ(), x.Total())
	cols, vals := x.Row(0)
	fmt.Printf("cell %s: %d genes, first %s = %.0f\n", x.RowLabel(0), len(cols), x.ColLabel(int(cols[0])), vals[0])
	// Output:
	// 80 cells × 230 genes, 4456 non-zeros, 19633 UMIs
	// cell ATGCCAGAACGACT: 47 genes, first CD79B = 1
}

// ExampleNewSplit holds out 10% of each row's non-zeros for validation
// and 10% for test.
func ExampleNewSplit() {
	x, err := model.NewCounts(2, 10,
		[]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3},
		[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := model.NewSplit(x, 0.1, 0.1, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("row 0:", s.Train.RowNNZ(0), s.Valid.RowNNZ(0), s.Test.RowNNZ(0))
	fmt.Println("row 1:", s.Train.RowNNZ(1), s.Valid.RowNNZ(1), s.Test.RowNNZ(1))
	// Output:
	// row 0: 8 1 1
	// row 1: 1 0 0
}
