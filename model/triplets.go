package model

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadTriplets reads "row col count" lines where row and column are
// arbitrary string IDs (MovieLens-style user and item IDs). Fields are
// separated by tabs, commas or spaces, whichever the first data line uses;
// empty fields after the third (a line ending in a tab) are ignored.
// A first line whose count field is not a number is a header and skipped
// (one whose count is a number out of range is an error); blank lines and
// lines whose first non-blank character is '#' are skipped, so a row ID
// cannot start with '#'. IDs become the row and column
// labels in order of first appearance, so n and p are the numbers of
// distinct IDs. Duplicates are summed. Errors name the line. Gzip-compressed
// input is detected from its first bytes.
//
// A comment "# shape N P" before the first entry says that the IDs are
// 1-based row and column indices of an N × P matrix: the matrix keeps that
// shape, empty rows and columns included, and has no labels. WriteTriplets
// writes it for a matrix without labels, so that a round trip keeps the
// matrix; add it to a file of numeric IDs to read them as indices.
func ReadTriplets(r io.Reader) (*Counts, error) {
	rc, err := decompress(r, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := newLineReader(rc)
	t := tripletReader{rowID: map[string]int32{}, colID: map[string]int32{}}
	first := true
	var total float64
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		trimmed := bytes.TrimLeft(line, " \t")
		if len(bytes.TrimSpace(trimmed)) == 0 {
			continue
		}
		if trimmed[0] == '#' {
			if first {
				if err := t.shapeComment(lr, line); err != nil {
					return nil, err
				}
			}
			continue
		}
		if t.sep == 0 {
			t.sep = detectSeparator(line)
		}
		f := splitFields(line, t.sep)
		for len(f) > 3 && len(f[len(f)-1]) == 0 {
			f = f[:len(f)-1]
		}
		if len(f) != 3 {
			return nil, lr.errorf(ErrFormat, "want 3 fields (row, col, count), found %d in %s", len(f), quote(line))
		}
		x, err := parseCount(f[2])
		if first {
			first = false
			if isHeaderCount(f[2]) {
				continue // a header such as "user item count"
			}
		}
		if err != nil {
			return nil, lr.at(err)
		}
		if len(f[0]) == 0 || len(f[1]) == 0 {
			return nil, lr.errorf(ErrFormat, "empty row or column ID in %s", quote(line))
		}
		if len(t.vals) == maxNNZ {
			return nil, lr.errorf(ErrShape, "more than %d entries", maxNNZ)
		}
		if total += x; total > maxExactCount {
			return nil, lr.errorf(ErrBadCount, "the total of the counts reaches 2^53")
		}
		if err := t.add(lr, f[0], f[1], x); err != nil {
			return nil, err
		}
	}
	return t.counts()
}

// tripletReader collects the entries of a triplet file.
type tripletReader struct {
	sep                  byte
	indexed              bool // "# shape N P": IDs are 1-based indices
	n, p                 int
	shapeLine            int // the line of "# shape"
	rowID, colID         map[string]int32
	rowLabels, colLabels []string
	rows, cols           []int32
	vals                 []float64
}

// shapeComment reads "# shape N P", if the comment is one.
func (t *tripletReader) shapeComment(lr *lineReader, line []byte) error {
	f := bytes.Fields(line[1:])
	if len(f) < 1 || string(f[0]) != "shape" {
		return nil
	}
	var v [2]int64
	ok := len(f) >= 3
	for k := 0; ok && k < 2; k++ {
		v[k], ok = parseUint(f[k+1])
		ok = ok && v[k] >= 1 && v[k] <= maxDim
	}
	if !ok {
		return lr.errorf(ErrShape, "%s is not \"# shape ROWS COLS\" with ROWS, COLS in [1, %d]", quote(line), maxDim)
	}
	t.indexed, t.n, t.p, t.shapeLine = true, int(v[0]), int(v[1]), lr.line
	return nil
}

// add appends one entry, turning its IDs into indices.
func (t *tripletReader) add(lr *lineReader, row, col []byte, x float64) error {
	var r, c int32
	if t.indexed {
		var err error
		if r, err = oneBased(lr, "row", row, t.n); err != nil {
			return err
		}
		if c, err = oneBased(lr, "column", col, t.p); err != nil {
			return err
		}
	} else {
		r, c = id(t.rowID, &t.rowLabels, row), id(t.colID, &t.colLabels, col)
	}
	t.rows, t.cols, t.vals = append(t.rows, r), append(t.cols, c), append(t.vals, x)
	return nil
}

// oneBased parses a 1-based index in [1, m] into a 0-based one.
func oneBased(lr *lineReader, what string, b []byte, m int) (int32, error) {
	v, ok := parseUint(b)
	if !ok {
		return 0, lr.errorf(ErrFormat, "%s ID %s is not an index (the file declares \"# shape\")", what, quote(b))
	}
	if v < 1 || v > int64(m) {
		return 0, lr.errorf(ErrIndexRange, "%s index %d out of range [1,%d]", what, v, m)
	}
	return int32(v - 1), nil
}

// id returns the index of the label key, adding it if new.
func id(m map[string]int32, labels *[]string, key []byte) int32 {
	if k, ok := m[string(key)]; ok {
		return k
	}
	s := string(key)
	k := int32(len(*labels))
	m[s] = k
	*labels = append(*labels, s)
	return k
}

// counts builds the matrix read.
func (t *tripletReader) counts() (*Counts, error) {
	if t.indexed {
		if err := checkDeclaredShape(int64(t.n), int64(t.p), len(t.vals)); err != nil {
			return nil, fmt.Errorf("line %d: %w", t.shapeLine, err)
		}
		return buildCounts(t.n, t.p, t.rows, t.cols, t.vals)
	}
	if len(t.vals) == 0 {
		return nil, fmt.Errorf("%w: no entries", ErrShape)
	}
	c, err := buildCounts(len(t.rowLabels), len(t.colLabels), t.rows, t.cols, t.vals)
	if err != nil {
		return nil, err
	}
	c.rowLabels, c.colLabels = t.rowLabels, t.colLabels
	return c, nil
}

// isHeaderCount reports whether the count field of a first line is a
// column name rather than a number: strconv cannot read it as one. A
// number out of float64's range ("1e400") is a number, and an error.
func isHeaderCount(b []byte) bool {
	_, err := strconv.ParseFloat(string(b), 64)
	var ne *strconv.NumError
	return err != nil && errors.As(err, &ne) && ne.Err == strconv.ErrSyntax
}

// detectSeparator picks tab, then comma, then blank space.
func detectSeparator(line []byte) byte {
	switch {
	case bytes.IndexByte(line, '\t') >= 0:
		return '\t'
	case bytes.IndexByte(line, ',') >= 0:
		return ','
	}
	return ' '
}

// splitFields splits on sep; for a space separator, runs of blanks count
// as one. Surrounding blanks are trimmed from every field.
func splitFields(line []byte, sep byte) [][]byte {
	if sep == ' ' {
		return bytes.Fields(line)
	}
	f := bytes.Split(line, []byte{sep})
	for k := range f {
		f[k] = bytes.TrimSpace(f[k])
	}
	return f
}

// WriteTriplets writes c as tab-separated "row col count" lines under a
// "row\tcol\tcount" header, in row-major order. Rows and columns are named
// by their labels, or, when c has none, by 1-based indices under a
// "# shape N P" comment that keeps the shape (see ReadTriplets). A label
// holding a tab or a line break cannot be read back, and a labelled row or
// column without entries cannot be written at all: both are errors (write
// Matrix Market, which keeps both, instead).
func WriteTriplets(w io.Writer, c *Counts) error { return writeTriplets(w, c, '\t') }

func writeTriplets(w io.Writer, c *Counts, sep byte) error {
	for side, labels := range [][]string{c.rowLabels, c.colLabels} {
		for k, l := range labels {
			if strings.ContainsAny(l, string(sep)+"\n\r") || strings.TrimSpace(l) != l || l == "" || side == 0 && strings.HasPrefix(l, "#") {
				return fmt.Errorf("%w: label %d (%q) cannot be written as a triplet ID (empty, a separator, a line break, surrounding blanks, or a row label starting with '#', which reads as a comment)", ErrFormat, k+1, l)
			}
		}
	}
	labeled := c.rowLabels != nil || c.colLabels != nil
	if labeled {
		if err := c.checkNoEmpty(); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	s := string(sep)
	if !labeled {
		fmt.Fprintf(bw, "# shape %d %d (1-based row and column indices)\n", c.n, c.p)
	}
	bw.WriteString("row" + s + "col" + s + "count\n")
	for u := 0; u < c.n; u++ {
		for e := c.rowPtr[u]; e < c.rowPtr[u+1]; e++ {
			bw.WriteString(c.RowLabel(u))
			bw.WriteByte(sep)
			bw.WriteString(c.ColLabel(int(c.colIdx[e])))
			bw.WriteByte(sep)
			bw.WriteString(strconv.FormatInt(int64(c.val[e]), 10))
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("model: writing triplets: %w", err)
	}
	return nil
}

// checkNoEmpty returns an error naming the first row or column without
// entries: a labelled triplet file cannot hold it.
func (c *Counts) checkNoEmpty() error {
	for u := 0; u < c.n; u++ {
		if c.rowPtr[u] == c.rowPtr[u+1] {
			return fmt.Errorf("%w: row %d (%q) has no entries, which a labelled triplet file cannot keep: write Matrix Market (.mtx) to keep the shape", ErrShape, u+1, c.RowLabel(u))
		}
	}
	for i := 0; i < c.p; i++ {
		if c.colPtr[i] == c.colPtr[i+1] {
			return fmt.Errorf("%w: column %d (%q) has no entries, which a labelled triplet file cannot keep: write Matrix Market (.mtx) to keep the shape", ErrShape, i+1, c.ColLabel(i))
		}
	}
	return nil
}
