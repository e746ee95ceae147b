package model_test

import (
	"fmt"
	"log"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// ExampleReadFile reads a gzipped Matrix Market file with its labels from
// rows.txt and cols.txt beside it.
func ExampleReadFile() {
	x, err := model.ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
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
