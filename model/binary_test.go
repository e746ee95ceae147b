package model

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/poisfact/poisfact/internal/testutil"
)

// TestBinaryRoundTrip: every shipped matrix, with its labels, and edge
// shapes (an odd number of non-zeros, empty rows and columns, no
// labels) read back equal from the binary format, through a file and
// through a stream of unknown size.
func TestBinaryRoundTrip(t *testing.T) {
	var cases []*Counts
	for _, name := range testutil.ShippedMatrices {
		x, err := ReadFile(testutil.Testdata(name, "matrix.mtx.gz"))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, x)
	}
	odd, _ := NewCounts(5, 4, []int{0, 2, 2}, []int{3, 0, 1}, []float64{7, 1, 2})
	cases = append(cases, odd)
	for _, x := range cases {
		path := filepath.Join(t.TempDir(), "x.pfb")
		if err := WriteFile(path, x); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, back)
		if !back.Equal(x) || !equalStrings(back.RowLabels(), x.RowLabels()) || !equalStrings(back.ColLabels(), x.ColLabels()) || back.Total() != x.Total() {
			t.Fatalf("%d × %d: the binary round trip changed the matrix or its labels", x.Rows(), x.Cols())
		}
		var buf bytes.Buffer
		if err := WriteBinary(&buf, x); err != nil {
			t.Fatal(err)
		}
		stream, err := ReadBinary(bytes.NewReader(buf.Bytes()), -1)
		if err != nil || !stream.Equal(x) {
			t.Fatalf("stream of unknown size: %v", err)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for j := range a {
		if a[j] != b[j] {
			return false
		}
	}
	return true
}

// TestBinaryRefuses: truncation, a flipped byte anywhere, a wrong version
// or magic, and a forged header each give one error of the right kind;
// nothing panics. A forged header that still checksums (written by hand)
// is caught by the value checks.
func TestBinaryRefuses(t *testing.T) {
	x, _ := NewCounts(3, 4, []int{0, 1, 2, 2}, []int{1, 0, 2, 3}, []float64{1, 5, 2, 9})
	x, _ = x.WithLabels([]string{"a", "b", "c"}, nil)
	var buf bytes.Buffer
	if err := WriteBinary(&buf, x); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	// Every case goes through both readers, the stream's and the mapped
	// file's (countsFromImage), which must refuse alike.
	read := func(b []byte) error {
		_, err := ReadBinary(bytes.NewReader(b), int64(len(b)))
		if littleEndianHost {
			image := make([]uint64, (len(b)+7)/8) // aligned, as a mapping is
			raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(image))), len(image)*8)[:len(b)]
			copy(raw, b)
			_, err2 := countsFromImage(raw, int64(len(b)))
			if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() && !(errors.Is(err2, ErrFormat) && errors.Is(err, ErrFormat)) {
				t.Fatalf("the readers disagree: stream %v, mapped %v", err, err2)
			}
		}
		return err
	}
	for cut := 0; cut < len(good); cut++ {
		if err := read(good[:cut]); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated at %d: %v", cut, err)
		}
	}
	for j := range good {
		b := append([]byte(nil), good...)
		b[j] ^= 0x40
		if err := read(b); err == nil {
			t.Fatalf("byte %d flipped: accepted", j)
		}
	}
	// A header rewritten with a valid checksum but a value of 0.5: the
	// checks of the values still refuse it.
	b := append([]byte(nil), good...)
	le := binary.LittleEndian
	valOff := 64 + 8*4 + 4*4
	le.PutUint64(b[valOff:], 0x3fe0000000000000) // 0.5
	body := b[64:]
	le.PutUint64(b[48:], uint64(crc32.Checksum(body, crcTable)))
	le.PutUint64(b[56:], uint64(crc32.Checksum(b[:56], crcTable)))
	if err := read(b); !errors.Is(err, ErrBadCount) || !strings.Contains(err.Error(), "value 0.5") {
		t.Fatalf("fractional value with valid checksums: %v", err)
	}
	// Column-major arrays that are in range and ascending but not the
	// transpose of the rows, with valid checksums: the CSR positions of
	// the two entries of row 3 (x[2,2] and x[2,3], CSR entries 2 and 3)
	// are swapped in the CSC view, so column 3 points at column 4's entry.
	b = append([]byte(nil), good...)
	posOff := 64 + 8*4 + 4*4 + 8*4 + 8*5 + 4*4
	le.PutUint32(b[posOff+4*2:], 3)
	le.PutUint32(b[posOff+4*3:], 2)
	reseal(b)
	if err := read(b); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not the transpose") {
		t.Fatalf("a column-major view that is not the transpose: %v", err)
	}
}

// reseal rewrites both checksums of a binary image after an edit.
func reseal(b []byte) {
	le := binary.LittleEndian
	le.PutUint64(b[48:], uint64(crc32.Checksum(b[64:], crcTable)))
	le.PutUint64(b[56:], uint64(crc32.Checksum(b[:56], crcTable)))
}

// TestBinaryVersion1 reads a file of the first version, which has no
// column-major arrays: the view is rebuilt and the matrix is the same.
func TestBinaryVersion1(t *testing.T) {
	x, err := ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBinary(&buf, x); err != nil {
		t.Fatal(err)
	}
	v2 := buf.Bytes()
	n, p, nnz := x.Rows(), x.Cols(), x.NNZ()
	index := 4*nnz + 4*(nnz%2)
	csr := 64 + 8*(n+1) + index + 8*nnz
	csc := 8*(p+1) + 2*index
	v1 := append(append([]byte(nil), v2[:csr]...), v2[csr+csc:]...)
	binary.LittleEndian.PutUint32(v1[8:], 1)
	reseal(v1)
	path := filepath.Join(t.TempDir(), "v1.pfb")
	if err := os.WriteFile(path, v1, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, back)
	if !back.Equal(x) || !equalStrings(back.ColLabels(), x.ColLabels()) {
		t.Fatal("version 1 read back differs")
	}
}
