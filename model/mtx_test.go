package model

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

func TestReadMatrixMarket(t *testing.T) {
	// The expected dense matrices are written out by hand from the file
	// text.
	for _, tc := range []struct {
		name, file string
		dense      []float64
	}{
		{"integer", "%%MatrixMarket matrix coordinate integer general\n% comment\n2 3 3\n1 1 4\n2 3 1\n1 2 2\n", []float64{4, 2, 0, 0, 0, 1}},
		{"real with whole values", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 3.0\n2 2 1e1\n", []float64{3, 0, 0, 10}},
		{"pattern", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 2\n2 1\n", []float64{0, 1, 1, 0}},
		{"case, CRLF, blank lines and tabs", "%%matrixmarket MATRIX Coordinate Integer GENERAL\r\n\r\n2 2 2\r\n1\t1\t1\r\n\r\n 2 2  5 \r\n", []float64{1, 0, 0, 5}},
		{"duplicates and explicit zero", "%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 1\n1 1 2\n2 2 0\n", []float64{3, 0, 0, 0}},
		{"no trailing newline", "%%MatrixMarket matrix coordinate integer general\n1 2 1\n1 2 7", []float64{0, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadMatrixMarket(strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, c)
			d, _ := c.Dense()
			if got := d.RawMatrix().Data; !equalFloats(got, tc.dense) {
				t.Fatalf("got %v, want %v", got, tc.dense)
			}
		})
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

const mmHead = "%%MatrixMarket matrix coordinate integer general\n"

func TestReadMatrixMarketErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		kind       error
		want       string
	}{
		{"empty file", "", ErrFormat, "empty file"},
		{"not a header", "1 2 3\n", ErrFormat, "line 1: model: malformed input: not a Matrix Market header"},
		{"array", "%%MatrixMarket matrix array integer general\n", ErrFormat, `line 1: model: malformed input: unsupported Matrix Market format "array"`},
		{"complex", "%%MatrixMarket matrix coordinate complex general\n", ErrFormat, `unsupported Matrix Market field "complex"`},
		{"symmetric", "%%MatrixMarket matrix coordinate integer symmetric\n", ErrFormat, `unsupported Matrix Market symmetry "symmetric"`},
		{"skew", "%%MatrixMarket matrix coordinate real skew-symmetric\n", ErrFormat, `symmetry "skew-symmetric"`},
		{"hermitian", "%%MatrixMarket matrix coordinate integer hermitian\n", ErrFormat, `symmetry "hermitian"`},
		{"no size line", mmHead + "% only a comment\n", ErrFormat, "line 2: model: malformed input: end of file before the size line"},
		{"bad size line", mmHead + "2 2\n", ErrFormat, "line 2: model: malformed input: size line"},
		{"zero rows", mmHead + "0 2 0\n", ErrShape, "line 2: model: invalid shape: 0 × 2 matrix is empty"},
		{"too many for shape", mmHead + "2 2 5\n", ErrShape, "5 entries do not fit"},
		{"negative", mmHead + "2 2 1\n1 1 -3\n", ErrBadCount, "line 3: model: invalid count: negative count -3"},
		{"fractional", mmHead + "2 2 1\n1 1 2.5\n", ErrBadCount, "line 3: model: invalid count: fractional count 2.5"},
		{"NaN", mmHead + "2 2 1\n1 1 nan\n", ErrBadCount, "line 3: model: invalid count: NaN"},
		{"Inf", mmHead + "2 2 1\n1 1 inf\n", ErrBadCount, "line 3: model: invalid count: +Inf"},
		{"huge", mmHead + "2 2 1\n1 1 1e400\n", ErrBadCount, "line 3: model: invalid count: \"1e400\" is out of range"},
		{"not a number", mmHead + "2 2 1\n1 1 x\n", ErrBadCount, `line 3: model: invalid count: "x" is not a number`},
		{"row index 0", mmHead + "2 2 1\n0 1 1\n", ErrIndexRange, "line 3: model: index out of range: row index 0 out of range [1,2]"},
		{"column beyond header", mmHead + "% c\n2 3 2\n1 1 1\n2 4 1\n", ErrIndexRange, "line 5: model: index out of range: column index 4 out of range [1,3]"},
		{"negative index", mmHead + "2 2 1\n-1 1 1\n", ErrFormat, `line 3: model: malformed input: row index "-1" is not a positive integer`},
		{"fewer entries than header", mmHead + "2 2 3\n1 1 1\n2 2 1\n", ErrFormat, "line 4: model: malformed input: the size line declares 3 entries, the file has 2"},
		{"more entries than header", mmHead + "2 2 1\n1 1 1\n2 2 1\n", ErrFormat, "line 4: model: malformed input: more entries than the 1"},
		{"missing value", mmHead + "2 2 1\n1 1\n", ErrFormat, "line 3: model: malformed input: want 3 fields, found 2"},
		{"extra field", mmHead + "2 2 1\n1 1 1 1\n", ErrFormat, "line 3: model: malformed input: want 3 fields, found 4"},
		{"pattern with value", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n", ErrFormat, "line 3: model: malformed input: want 2 fields, found 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMatrixMarket(strings.NewReader(tc.file))
			if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
}

func TestReadFileGzipErrors(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(mmHead + "2 2 2\n1 1 1\n2 2 1\n"))
	zw.Close()
	whole := buf.Bytes()
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"truncated gzip", "t.mtx.gz", whole[:len(whole)-12], "gzip stream truncated"},
		{"not gzip", "n.mtx.gz", []byte(mmHead + "1 1 1\n1 1 1\n"), "n.mtx.gz: model: malformed input: not gzip data"},
		{"bad gzip header", "h.mtx.gz", append([]byte{0x1f, 0x8b, 0}, whole[3:]...), "gzip"},
		{"unknown type", "x.bin", []byte("hello"), "unknown file type"},
		{"empty file", "e.mtx", nil, "e.mtx: model: malformed input: empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			os.WriteFile(p, tc.data, 0o644)
			_, err := ReadFile(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	p := filepath.Join(dir, "plain-gzip.mtx")
	os.WriteFile(p, whole, 0o644)
	if c, err := ReadFile(p); err != nil || c.NNZ() != 2 {
		t.Fatalf("gzip content without .gz name: %v", err)
	}
}

func TestLabelFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "m.mtx"), []byte(mmHead+"2 2 1\n1 2 3\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rows.txt"), []byte("u1\tUnited Kingdom\r\nu2\tFrance\n"), 0o644)
	c, err := ReadFile(filepath.Join(dir, "m.mtx"))
	if err != nil {
		t.Fatal(err)
	}
	if c.RowLabel(1) != "u2\tFrance" || c.ColLabels() != nil || c.ColLabel(1) != "2" {
		t.Fatalf("labels %q %q", c.RowLabels(), c.ColLabels())
	}
	os.WriteFile(filepath.Join(dir, "cols.txt"), []byte("a\nb\nc\n"), 0o644)
	if _, err := ReadFile(filepath.Join(dir, "m.mtx")); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "cols.txt has 3 labels for 2 columns") {
		t.Fatalf("got %v", err)
	}
}

// TestRoundTrip reads every matrix in testdata/ and the shared data
// folder, writes it, reads it back and asks for identical Counts. The
// large shared matrices are skipped under -short.
func TestRoundTrip(t *testing.T) {
	var paths []string
	for _, name := range testutil.ShippedMatrices {
		paths = append(paths, testutil.Testdata(name, "matrix.mtx.gz"))
	}
	for _, name := range testutil.SharedMatrices() {
		if testing.Short() && testutil.LargeShared[name] {
			continue
		}
		paths = append(paths, filepath.Join(testutil.SharedDataDir(), name, "matrix.mtx.gz"))
	}
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name, func(t *testing.T) {
			c, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if c.RowLabels() == nil || c.ColLabels() == nil {
				t.Error("labels not attached")
			}
			if c.NNZ() < 100_000 {
				checkInvariants(t, c)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "matrix.mtx")
			if err := WriteFile(out, c); err != nil {
				t.Fatal(err)
			}
			back, err := ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCounts(c, back) {
				t.Fatal("Matrix Market round trip differs")
			}
		})
	}
}

func TestWriteFileGzip(t *testing.T) {
	c, err := ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "m.mtx.gz")
	if err := WriteFile(out, c); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(out)
	if !bytes.HasPrefix(raw, gzipMagic) {
		t.Fatal("not gzip")
	}
	back, err := ReadFile(out)
	if err != nil || !sameCounts(c, back) {
		t.Fatalf("gzip round trip: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Fatalf("want m.mtx.gz, rows.txt, cols.txt and no temporary files, got %d entries", len(entries))
	}
}
