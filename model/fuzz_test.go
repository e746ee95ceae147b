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

// FuzzDecodeModel feeds a fuzzed manifest and matrix file to the saved
// model decoder (the part of LoadModel after the checksums): whatever the
// manifest declares, it must return an error or a model whose values are
// valid, without a panic or an allocation the files do not justify.
func FuzzDecodeModel(f *testing.F) {
	f.Add([]byte(`{"format":"poisfact-model","version":1,"kind":"nmf","rows":2,"cols":2,"k":1,"files":["w.tsv","h.tsv"]}`), []byte("1\n2\n"))
	f.Add([]byte(`{"format":"poisfact-model","version":1,"kind":"hpf","rows":2,"cols":2,"k":1,"hyper":{"non_hierarchical":true},"files":[]}`), []byte("0.5\n1.5\n"))
	f.Add([]byte(`{"format":"poisfact-model","version":1,"kind":"hpf","rows":2147483647,"cols":2,"k":1000000000,"hyper":{},"files":[]}`), []byte("1\n"))
	f.Fuzz(func(t *testing.T, manifest, matrix []byte) {
		files := map[string][]byte{manifestName: manifest}
		for _, name := range []string{"w.tsv", "h.tsv", "theta_shape.tsv", "theta_rate.tsv", "beta_shape.tsv", "beta_rate.tsv",
			"xi_shape.tsv", "xi_rate.tsv", "eta_shape.tsv", "eta_rate.tsv", "rows.txt", "cols.txt"} {
			files[name] = matrix
		}
		s, err := decodeModel(files)
		if err != nil {
			return
		}
		n, p, k := s.Dims()
		if n <= 0 || p <= 0 || k <= 0 {
			t.Fatalf("decoded a %d × %d model with K = %d", n, p, k)
		}
		if s.Kind == KindHPF {
			for _, v := range s.Posterior.ThetaRate.RawMatrix().Data {
				if !(v > 0) {
					t.Fatalf("decoded a rate %v", v)
				}
			}
		}
	})
}

// FuzzReadBinary: the binary reader returns an error or a consistent
// matrix that survives a write and a read, for any bytes, with the size
// known and unknown.
func FuzzReadBinary(f *testing.F) {
	x, _ := NewCounts(3, 2, []int{0, 2}, []int{0, 1}, []float64{4, 1})
	x, _ = x.WithLabels([]string{"a", "b", "c"}, nil)
	var buf bytes.Buffer
	if err := WriteBinary(&buf, x); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:70])
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, size := range []int64{int64(len(data)), -1} {
			c, err := ReadBinary(bytes.NewReader(data), size)
			if err != nil {
				continue
			}
			checkInvariants(t, c)
			var out bytes.Buffer
			if err := WriteBinary(&out, c); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("accepted bytes that do not write back the same (size %d)", size)
			}
		}
	})
}
