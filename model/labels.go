package model

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReadLabels reads one label per line. The whole line is the label, tabs
// included (rows.txt of onlineretail holds "CustomerID<TAB>country"); only
// the line ending ("\n" or "\r\n") is removed. Gzip is detected from the
// content.
func ReadLabels(r io.Reader) ([]string, error) {
	rc, err := decompress(r, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := newLineReader(rc)
	labels := []string{} // an empty file is no labels, not a missing file
	for {
		line, err := lr.next()
		if err == io.EOF {
			return labels, nil
		}
		if err != nil {
			return nil, err
		}
		labels = append(labels, string(line))
	}
}

// WriteLabels writes one label per line. A label holding a newline cannot
// be read back and is an error.
func WriteLabels(w io.Writer, labels []string) error {
	bw := bufio.NewWriter(w)
	for k, l := range labels {
		if strings.ContainsAny(l, "\n\r") {
			return fmt.Errorf("%w: label %d contains a line break", ErrFormat, k+1)
		}
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("model: writing labels: %w", err)
	}
	return nil
}

// readLabelFile reads a label file; a missing file gives nil labels and
// no error.
func readLabelFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	labels, err := ReadLabels(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return labels, nil
}

// attachLabelFiles adds the labels of rows.txt and cols.txt in dir, when
// they exist; a file whose line count does not match the matrix is an
// error.
func attachLabelFiles(c *Counts, dir string) (*Counts, error) {
	rows, err := readLabelFile(filepath.Join(dir, "rows.txt"))
	if err != nil {
		return nil, err
	}
	cols, err := readLabelFile(filepath.Join(dir, "cols.txt"))
	if err != nil {
		return nil, err
	}
	if rows == nil && cols == nil {
		return c, nil
	}
	if rows != nil && len(rows) != c.n {
		return nil, fmt.Errorf("%w: %s has %d labels for %d rows", ErrShape, filepath.Join(dir, "rows.txt"), len(rows), c.n)
	}
	if cols != nil && len(cols) != c.p {
		return nil, fmt.Errorf("%w: %s has %d labels for %d columns", ErrShape, filepath.Join(dir, "cols.txt"), len(cols), c.p)
	}
	d := *c
	d.rowLabels, d.colLabels = rows, cols
	return &d, nil
}
