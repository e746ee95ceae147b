package model

import (
	"bytes"
	"testing"
)

// The fuzz targets check that no input makes a parser panic, and that what
// a parser accepts is a consistent matrix that survives a write and a
// read. Seed corpora are under testdata/fuzz/.

func FuzzReadMatrixMarket(f *testing.F) {
	f.Add([]byte(mmHead + "2 2 2\n1 1 1\n2 2 3\n"))
	f.Add([]byte(mmHead + "2147483647 2147483647 1\n1 1 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadMatrixMarket(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkInvariants(t, c)
		var buf bytes.Buffer
		if err := WriteMatrixMarket(&buf, c); err != nil {
			t.Fatal(err)
		}
		back, err := ReadMatrixMarket(&buf)
		if err != nil || !sameCounts(c, back) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzReadTriplets(f *testing.F) {
	f.Add([]byte("user\titem\tcount\na\tb\t1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadTriplets(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkInvariants(t, c)
		var buf bytes.Buffer
		if err := WriteTriplets(&buf, c); err != nil {
			return // labels a TSV cannot carry are refused, not written
		}
		back, err := ReadTriplets(&buf)
		if c.NNZ() > 0 && (err != nil || back.Total() != c.Total()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	f.Add([]byte("a\tb\nc\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteLabels(&buf, labels); err != nil {
			return
		}
		back, err := ReadLabels(&buf)
		if err != nil || len(back) != len(labels) {
			t.Fatalf("round trip: %d labels, then %d: %v", len(labels), len(back), err)
		}
	})
}
