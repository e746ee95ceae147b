package model

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/poisfact/poisfact/internal/osutil"
)

// maxDim bounds the rows and columns a file may declare (indices are
// int32). What a declared shape may cost in memory is bounded apart, by
// checkDeclaredShape, once the entries are read.
const maxDim = 1<<31 - 1

// ReadMatrixMarket reads a Matrix Market coordinate file (NIST Matrix
// Market exchange format): the header "%%MatrixMarket matrix coordinate
// FIELD general" with FIELD integer, real (every value a whole number) or
// pattern (every entry 1), then '%' comment lines, a size line "n p nnz",
// and nnz lines "i j [x]" with 1-based indices. Duplicates are summed.
// Array format, complex values and symmetric, skew-symmetric or hermitian
// storage are rejected by name. Errors name the line. Gzip-compressed
// input is detected from its first bytes.
func ReadMatrixMarket(r io.Reader) (*Counts, error) {
	rc, err := decompress(r, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := newLineReader(rc)
	field, err := readMMHeader(lr)
	if err != nil {
		return nil, err
	}
	n, p, nnz, err := readMMSize(lr)
	if err != nil {
		return nil, err
	}
	sizeLine := lr.line
	// The declared count is only a promise: start small and grow with
	// what is really there.
	alloc := min(nnz, 1<<20)
	rows := make([]int32, 0, alloc)
	cols := make([]int32, 0, alloc)
	vals := make([]float64, 0, alloc)
	pattern := field == "pattern"
	var seen int64 // entries read, explicit zeros included
	var total float64
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(line) == 0 || line[0] == '%' {
			continue
		}
		if seen == nnz {
			return nil, lr.errorf(ErrFormat, "more entries than the %d the size line declares", nnz)
		}
		i, j, x, err := parseMMEntry(lr, line, n, p, pattern)
		if err != nil {
			return nil, err
		}
		seen++
		if x == 0 {
			continue // an explicit zero is an entry of the file, not a non-zero
		}
		if total += x; total > maxExactCount {
			return nil, lr.errorf(ErrBadCount, "the total of the counts reaches 2^53")
		}
		rows = append(rows, i)
		cols = append(cols, j)
		vals = append(vals, x)
	}
	if seen != nnz {
		return nil, lr.errorf(ErrFormat, "the size line declares %d entries, the file has %d", nnz, seen)
	}
	if err := checkDeclaredShape(n, p, len(vals)); err != nil {
		return nil, fmt.Errorf("line %d: %w", sizeLine, err)
	}
	return buildCounts(int(n), int(p), rows, cols, vals)
}

// readMMHeader reads and checks the banner line and returns the field.
func readMMHeader(lr *lineReader) (string, error) {
	line, err := lr.next()
	if err == io.EOF {
		return "", fmt.Errorf("%w: empty file: no Matrix Market header", ErrFormat)
	}
	if err != nil {
		return "", err
	}
	f := strings.Fields(strings.ToLower(string(line)))
	if len(f) != 5 || f[0] != "%%matrixmarket" || f[1] != "matrix" {
		return "", lr.errorf(ErrFormat, "not a Matrix Market header (want %q)", "%%MatrixMarket matrix coordinate integer general")
	}
	if f[2] != "coordinate" {
		return "", lr.errorf(ErrFormat, "unsupported Matrix Market format %s: only sparse \"coordinate\" is read", quote([]byte(f[2])))
	}
	switch f[3] {
	case "integer", "real", "pattern":
	default:
		return "", lr.errorf(ErrFormat, "unsupported Matrix Market field %s: counts are integer, real with whole values, or pattern", quote([]byte(f[3])))
	}
	if f[4] != "general" {
		return "", lr.errorf(ErrFormat, "unsupported Matrix Market symmetry %s: only \"general\" is read", quote([]byte(f[4])))
	}
	return f[3], nil
}

// readMMSize skips comments and reads the size line.
func readMMSize(lr *lineReader) (n, p, nnz int64, err error) {
	for {
		line, err := lr.next()
		if err == io.EOF {
			return 0, 0, 0, lr.errorf(ErrFormat, "end of file before the size line")
		}
		if err != nil {
			return 0, 0, 0, err
		}
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '%' {
			continue
		}
		f := bytes.Fields(line)
		var v [3]int64
		ok := len(f) == 3
		for k := 0; ok && k < 3; k++ {
			v[k], ok = parseUint(f[k])
		}
		if !ok {
			return 0, 0, 0, lr.errorf(ErrFormat, "size line %s is not \"rows cols entries\"", quote(line))
		}
		n, p, nnz = v[0], v[1], v[2]
		switch {
		case n == 0 || p == 0:
			return 0, 0, 0, lr.errorf(ErrShape, "%d × %d matrix is empty", n, p)
		case n > maxDim || p > maxDim:
			return 0, 0, 0, lr.errorf(ErrShape, "%d × %d exceeds %d rows or columns", n, p, maxDim)
		case nnz > maxNNZ || float64(nnz) > float64(n)*float64(p):
			return 0, 0, 0, lr.errorf(ErrShape, "%d entries do not fit a %d × %d matrix", nnz, n, p)
		}
		return n, p, nnz, nil
	}
}

// parseMMEntry parses "i j x" (or "i j" for pattern) into 0-based indices
// and a checked count.
func parseMMEntry(lr *lineReader, line []byte, n, p int64, pattern bool) (i, j int32, x float64, err error) {
	fi, end := nextField(line, 0)
	fj, end := nextField(line, end)
	var fx []byte
	if !pattern {
		fx, end = nextField(line, end)
	}
	if rest, _ := nextField(line, end); len(rest) != 0 || len(fj) == 0 || (!pattern && len(fx) == 0) {
		want := 3
		if pattern {
			want = 2
		}
		return 0, 0, 0, lr.errorf(ErrFormat, "want %d fields, found %d in %s", want, len(bytes.Fields(line)), quote(line))
	}
	ri, ok := parseUint(fi)
	if !ok {
		return 0, 0, 0, lr.errorf(ErrFormat, "row index %s is not a positive integer", quote(fi))
	}
	if ri < 1 || ri > n {
		return 0, 0, 0, lr.errorf(ErrIndexRange, "row index %d out of range [1,%d]", ri, n)
	}
	cj, ok := parseUint(fj)
	if !ok {
		return 0, 0, 0, lr.errorf(ErrFormat, "column index %s is not a positive integer", quote(fj))
	}
	if cj < 1 || cj > p {
		return 0, 0, 0, lr.errorf(ErrIndexRange, "column index %d out of range [1,%d]", cj, p)
	}
	x = 1
	if !pattern {
		if x, err = parseCount(fx); err != nil {
			return 0, 0, 0, lr.at(err)
		}
	}
	return int32(ri - 1), int32(cj - 1), x, nil
}

// parseCount parses a count: plain digits take a fast path, anything else
// goes through strconv.ParseFloat and the count checks.
func parseCount(b []byte) (float64, error) {
	if v, ok := parseUint(b); ok {
		if v > maxExactCount {
			return 0, fmt.Errorf("%w: count %s is not below 2^53", ErrBadCount, quote(b))
		}
		return float64(v), nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%w: %s is out of range", ErrBadCount, quote(b))
		}
		return 0, fmt.Errorf("%w: %s is not a number", ErrBadCount, quote(b))
	}
	if err := checkCount(x); err != nil {
		return 0, err
	}
	return x, nil
}

// MaxSparseDims is the least limit on the rows plus columns a file may
// declare: the reader holds 32 bytes for every row and column (offsets
// and totals), so a file declares at most max(MaxSparseDims,
// 16 × its non-zeros) rows plus columns, and a few bytes cannot make it
// allocate gigabytes. Real count matrices have far fewer empty rows and
// columns than that.
const MaxSparseDims = 1 << 20

// checkDeclaredShape refuses a declared shape whose per-row and
// per-column arrays would dwarf the non-zeros actually read.
func checkDeclaredShape(n, p int64, nnz int) error {
	if limit := max(MaxSparseDims, 16*int64(nnz)); n+p > limit {
		return fmt.Errorf("%w: %d × %d declared for %d non-zeros: its row and column arrays alone would take %s; at most max(%d, 16 × non-zeros) = %d rows plus columns are read (give the matrix its real shape)",
			ErrShape, n, p, nnz, osutil.Bytes(float64(32*(n+p))), MaxSparseDims, limit)
	}
	return nil
}

// WriteMatrixMarket writes c as "%%MatrixMarket matrix coordinate integer
// general" with 1-based indices in row-major order. Labels are not part
// of the format; WriteFile writes them beside it.
func WriteMatrixMarket(w io.Writer, c *Counts) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "%%%%MatrixMarket matrix coordinate integer general\n%d %d %d\n", c.n, c.p, len(c.val))
	buf := make([]byte, 0, 64)
	for u := 0; u < c.n; u++ {
		for e := c.rowPtr[u]; e < c.rowPtr[u+1]; e++ {
			buf = strconv.AppendInt(buf[:0], int64(u+1), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(c.colIdx[e])+1, 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(c.val[e]), 10)
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("model: writing Matrix Market: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("model: writing Matrix Market: %w", err)
	}
	return nil
}
