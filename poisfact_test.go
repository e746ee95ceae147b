package poisfact

import (
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestDatasets: every embedded data set is the file in testdata/ with its
// labels.
func TestDatasets(t *testing.T) {
	for _, name := range Datasets {
		x, err := Dataset(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := model.ReadFile(testutil.Testdata(name, "matrix.mtx.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if x.NNZ() != want.NNZ() || x.Total() != want.Total() || x.RowLabel(3) != want.RowLabel(3) || x.ColLabel(7) != want.ColLabel(7) {
			t.Fatalf("%s differs from testdata", name)
		}
	}
	if _, err := Dataset("nope"); err == nil {
		t.Fatal("unknown data set accepted")
	}
}
