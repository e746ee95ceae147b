package model

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadTriplets reads "row col count" lines where row and column are
// arbitrary string IDs (MovieLens-style user and item IDs). Fields are
// separated by tabs, commas or spaces, whichever the first data line uses.
// A first line whose count field is not a number is a header and skipped;
// blank lines and lines starting with '#' are skipped. IDs become the row
// and column labels in order of first appearance, so n and p are the
// numbers of distinct IDs. Duplicates are summed. Errors name the line.
// Gzip-compressed input is detected from its first bytes.
func ReadTriplets(r io.Reader) (*Counts, error) {
	rc, err := decompress(r, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := newLineReader(rc)
	rowID := map[string]int32{}
	colID := map[string]int32{}
	var rowLabels, colLabels []string
	var rows, cols []int32
	var vals []float64
	var sep byte
	first := true
	id := func(m map[string]int32, labels *[]string, key []byte) int32 {
		if k, ok := m[string(key)]; ok {
			return k
		}
		s := string(key)
		k := int32(len(*labels))
		m[s] = k
		*labels = append(*labels, s)
		return k
	}
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFormat, err)
		}
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		if sep == 0 {
			sep = detectSeparator(line)
		}
		f := splitFields(line, sep)
		if len(f) != 3 {
			return nil, lr.errorf(ErrFormat, "want 3 fields (row, col, count), found %d in %q", len(f), line)
		}
		x, err := parseCount(f[2])
		if first {
			first = false
			if _, perr := strconv.ParseFloat(string(f[2]), 64); perr != nil {
				continue // a header such as "user item count"
			}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lr.line, err)
		}
		if len(f[0]) == 0 || len(f[1]) == 0 {
			return nil, lr.errorf(ErrFormat, "empty row or column ID in %q", line)
		}
		if len(vals) == maxNNZ {
			return nil, lr.errorf(ErrShape, "more than %d entries", maxNNZ)
		}
		rows = append(rows, id(rowID, &rowLabels, f[0]))
		cols = append(cols, id(colID, &colLabels, f[1]))
		vals = append(vals, x)
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("%w: no entries", ErrShape)
	}
	c, err := buildCounts(len(rowLabels), len(colLabels), rows, cols, vals)
	if err != nil {
		return nil, err
	}
	c.rowLabels, c.colLabels = rowLabels, colLabels
	return c, nil
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
// by their labels, or by 1-based indices when c has none; a label holding a
// tab or a line break cannot be read back and is an error.
func WriteTriplets(w io.Writer, c *Counts) error { return writeTriplets(w, c, '\t') }

func writeTriplets(w io.Writer, c *Counts, sep byte) error {
	for _, labels := range [][]string{c.rowLabels, c.colLabels} {
		for k, l := range labels {
			if strings.ContainsAny(l, string(sep)+"\n\r") || strings.TrimSpace(l) != l || l == "" {
				return fmt.Errorf("%w: label %d (%q) cannot be written as a triplet ID (empty, a separator, a line break or surrounding blanks)", ErrFormat, k+1, l)
			}
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	s := string(sep)
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
