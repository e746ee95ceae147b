package model

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/poisfact/poisfact/internal/osutil"
)

// gzipMagic is the two-byte signature of a gzip stream (RFC 1952, 2.3.1).
var gzipMagic = []byte{0x1f, 0x8b}

// ReadFile reads a count matrix from path. The format is chosen by the
// name with any .gz suffix removed: .mtx (Matrix Market, with labels from
// rows.txt and cols.txt in the same directory when they exist), .tsv,
// .csv, .txt (triplets, see ReadTriplets) or .pfb (the binary format, see
// WriteBinary; never compressed). A directory is read as a 10x Genomics
// matrix folder (see ReadTenX). Gzip is detected from the content, so a
// compressed text file needs no .gz suffix; a .gz file that is not gzip is
// an error. Errors name the file and the line.
func ReadFile(path string) (*Counts, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return ReadTenX(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	if formatOf(path) == "binary" {
		if strings.HasSuffix(path, ".gz") {
			return nil, fmt.Errorf("%s: %w: the binary format is read as it is, not gzipped", path, ErrFormat)
		}
		info, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		c, ok, err := mapBinary(f, info.Size())
		if !ok {
			c, err = ReadBinary(f, info.Size())
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return c, nil
	}
	r, err := decompress(f, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var c *Counts
	switch kind := formatOf(path); kind {
	case "mtx":
		c, err = ReadMatrixMarket(r)
		if err == nil {
			c, err = attachLabelFiles(c, filepath.Dir(path))
		}
	case "triplets":
		c, err = ReadTriplets(r)
	default:
		return nil, fmt.Errorf("%s: %w: unknown file type (want .mtx, .tsv, .csv or .txt, optionally .gz, .pfb, or a 10x folder)", path, ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// WriteFile writes c to path in the format its name asks for (see
// ReadFile), gzip-compressed when the name ends in .gz. A Matrix Market
// file is written as "coordinate integer general"; its labels, when c has
// them, go to rows.txt and cols.txt in the same directory. The file is
// written to a temporary name and renamed, so a failed write never leaves
// a partial file under path.
func WriteFile(path string, c *Counts) error {
	var write func(io.Writer, *Counts) error
	switch formatOf(path) {
	case "mtx":
		write = WriteMatrixMarket
	case "triplets":
		write = WriteTriplets
		if strings.HasSuffix(strings.TrimSuffix(path, ".gz"), ".csv") {
			write = func(w io.Writer, c *Counts) error { return writeTriplets(w, c, ',') }
		}
	case "binary":
		write = WriteBinary
		if strings.HasSuffix(path, ".gz") {
			return fmt.Errorf("%s: %w: the binary format is written as it is, not gzipped", path, ErrFormat)
		}
	default:
		return fmt.Errorf("%s: %w: unknown file type (want .mtx, .tsv, .csv or .txt, optionally .gz, or .pfb)", path, ErrFormat)
	}
	gz := strings.HasSuffix(path, ".gz")
	err := writeAtomic(path, func(w io.Writer) error { return write(w, c) }, gz)
	if err != nil {
		return err
	}
	if formatOf(path) == "mtx" {
		dir := filepath.Dir(path)
		for _, l := range []struct {
			name   string
			labels []string
		}{{"rows.txt", c.rowLabels}, {"cols.txt", c.colLabels}} {
			if l.labels == nil {
				continue
			}
			if err := writeAtomic(filepath.Join(dir, l.name), func(w io.Writer) error { return WriteLabels(w, l.labels) }, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// formatOf classifies a path by its extension, ignoring .gz.
func formatOf(path string) string {
	base := strings.ToLower(strings.TrimSuffix(path, ".gz"))
	switch filepath.Ext(base) {
	case ".mtx":
		return "mtx"
	case ".tsv", ".csv", ".txt":
		return "triplets"
	case ".pfb":
		return "binary"
	}
	return ""
}

// writeAtomic writes through fill, gzipped when gz, atomically
// (osutil.WriteAtomic).
func writeAtomic(path string, fill func(io.Writer) error, gz bool) error {
	err := osutil.WriteAtomic(path, func(w io.Writer) error {
		if !gz {
			return fill(w)
		}
		zw := gzip.NewWriter(w)
		if err := fill(zw); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrShape) {
		return fmt.Errorf("model: %w", err)
	}
	return err
}

// decompress returns a reader of r's content, gunzipped when it starts
// with the gzip signature. Decompression runs in its own goroutine, ahead
// of the parser, so that reading a large file uses two cores. A name ending
// in .gz whose content is not gzip is an error.
func decompress(r io.Reader, name string) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	isGzip := err == nil && head[0] == gzipMagic[0] && head[1] == gzipMagic[1]
	if !isGzip {
		if strings.HasSuffix(name, ".gz") {
			return nil, fmt.Errorf("%s: %w: not gzip data (no gzip signature)", name, ErrFormat)
		}
		return io.NopCloser(br), nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: gzip: %v", name, ErrFormat, err)
	}
	return newReadAhead(&gzipErrors{zr}), nil
}

// gzipErrors turns the gzip reader's errors into ones that say what
// happened to the file.
type gzipErrors struct{ r *gzip.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	switch {
	case err == nil || err == io.EOF:
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: gzip stream truncated (unexpected end of file)", ErrFormat)
	default:
		err = fmt.Errorf("%w: gzip: %v", ErrFormat, err)
	}
	return n, err
}
