package model

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// The binary format of a Counts (file extension .pfb), version 1. Every
// number is little-endian; every array starts at a multiple of 8 bytes.
//
//	offset  size        field
//	0       8           magic "POISFACT"
//	8       4           version (1)
//	12      4           flags (0)
//	16      8           n, rows
//	24      8           p, columns
//	32      8           nnz, non-zeros
//	40      8           bytes of the label section
//	48      8           CRC-32C of everything after the header (in the low 4 bytes)
//	56      8           CRC-32C of bytes 0–55 (in the low 4 bytes)
//	64      8(n+1)      CSR row offsets (int64): row u is entries rowPtr[u]:rowPtr[u+1]
//	        4·nnz       CSR column indices (int32), ascending in each row, then zero padding to 8
//	        8·nnz       values (float64), whole numbers in [1, 2^53)
//	        labels      two lists (rows, then columns), each a uint64 count (0: none)
//	                    then, per label, a uint32 length and its bytes
//
// The column-major view is rebuilt on load (it costs less than reading it:
// measured in the README's scale section). Loading checks as much as the
// text readers do: the magic, the version, both checksums, that the sizes
// fit the file before allocating, offsets monotone, indices in range and
// strictly ascending, values whole and positive, the total below 2^53.
const (
	binaryMagic   = "POISFACT"
	binaryVersion = 1
	binaryHeader  = 64
)

// crcTable is CRC-32C (Castagnoli), which Go computes with the
// processor's CRC instruction where there is one: measured on
// linux-6.1-bow, CRC-64 took a sixth of the load time, CRC-32C a
// hundredth.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// WriteBinary writes c in the binary format.
func WriteBinary(w io.Writer, c *Counts) error {
	labels := labelSection(c)
	var h [binaryHeader]byte
	copy(h[0:8], binaryMagic)
	le := binary.LittleEndian
	le.PutUint32(h[8:], binaryVersion)
	le.PutUint64(h[16:], uint64(c.n))
	le.PutUint64(h[24:], uint64(c.p))
	le.PutUint64(h[32:], uint64(len(c.val)))
	le.PutUint64(h[40:], uint64(len(labels)))

	crc := crc32.New(crcTable)
	body := func(out io.Writer) error {
		bw := bufio.NewWriterSize(out, 1<<20)
		if err := binary.Write(bw, le, c.rowPtr); err != nil {
			return err
		}
		if err := binary.Write(bw, le, c.colIdx); err != nil {
			return err
		}
		if len(c.colIdx)%2 == 1 {
			bw.Write(make([]byte, 4))
		}
		if err := binary.Write(bw, le, c.val); err != nil {
			return err
		}
		bw.Write(labels)
		return bw.Flush()
	}
	// The body's checksum goes in the header, so the body is hashed first
	// (one pass over memory, no copy), then header and body are written.
	if err := body(crc); err != nil {
		return fmt.Errorf("model: writing binary counts: %w", err)
	}
	le.PutUint64(h[48:], uint64(crc.Sum32()))
	le.PutUint64(h[56:], uint64(crc32.Checksum(h[:56], crcTable)))
	if _, err := w.Write(h[:]); err != nil {
		return fmt.Errorf("model: writing binary counts: %w", err)
	}
	if err := body(w); err != nil {
		return fmt.Errorf("model: writing binary counts: %w", err)
	}
	return nil
}

// labelSection encodes the row and column labels.
func labelSection(c *Counts) []byte {
	var b []byte
	for _, labels := range [][]string{c.rowLabels, c.colLabels} {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(labels)))
		for _, l := range labels {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(l)))
			b = append(b, l...)
		}
	}
	return b
}

// ReadBinary reads a Counts written by WriteBinary. size is the number of
// bytes r holds (the file's size), or -1 when unknown: with it, a header
// that declares more than the file holds is refused before anything is
// allocated. Errors wrap ErrFormat, ErrIndexRange, ErrBadCount or
// ErrShape and say which part of the file is at fault.
func ReadBinary(r io.Reader, size int64) (*Counts, error) {
	var h [binaryHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("%w: binary counts: header: %v (truncated file)", ErrFormat, err)
	}
	le := binary.LittleEndian
	switch {
	case string(h[0:8]) != binaryMagic:
		return nil, fmt.Errorf("%w: not a poisfact binary file (no %q signature)", ErrFormat, binaryMagic)
	case le.Uint64(h[56:]) != uint64(crc32.Checksum(h[:56], crcTable)):
		return nil, fmt.Errorf("%w: binary counts: the header's checksum does not match (corrupt file)", ErrFormat)
	case le.Uint32(h[8:]) != binaryVersion:
		return nil, fmt.Errorf("%w: binary counts of format version %d; this version of poisfact reads version %d", ErrFormat, le.Uint32(h[8:]), binaryVersion)
	}
	n, p, nnz, nLabels := le.Uint64(h[16:]), le.Uint64(h[24:]), le.Uint64(h[32:]), le.Uint64(h[40:])
	switch {
	case n == 0 || p == 0:
		return nil, fmt.Errorf("%w: binary counts: %d × %d matrix is empty", ErrShape, n, p)
	case n > maxDim || p > maxDim:
		return nil, fmt.Errorf("%w: binary counts: %d × %d exceeds %d rows or columns", ErrShape, n, p, maxDim)
	case nnz > maxNNZ || float64(nnz) > float64(n)*float64(p):
		return nil, fmt.Errorf("%w: binary counts: %d non-zeros do not fit a %d × %d matrix", ErrShape, nnz, n, p)
	case nLabels > 1<<40:
		return nil, fmt.Errorf("%w: binary counts: a label section of %d bytes", ErrFormat, nLabels)
	}
	body := 8*(n+1) + 4*nnz + 4*(nnz%2) + 8*nnz + nLabels
	if size >= 0 && uint64(size) != binaryHeader+body {
		return nil, fmt.Errorf("%w: binary counts: the header declares %d bytes, the file holds %d (truncated or padded)", ErrFormat, binaryHeader+body, size)
	}
	if size < 0 {
		// Without a size, the declared shape is bounded as the text
		// readers bound it, before anything is allocated.
		if err := checkDeclaredShape(int64(n), int64(p), int(nnz)); err != nil {
			return nil, fmt.Errorf("binary counts: %w", err)
		}
	}
	crc := crc32.New(crcTable)
	br := bufio.NewReaderSize(io.TeeReader(r, crc), 1<<20)
	// With the file's size checked, the arrays are allocated whole; without
	// it they grow with what is read, so a forged header cannot allocate.
	trusted := size >= 0
	c := &Counts{n: int(n), p: int(p), consts: &dataConstants{}}
	var err error
	if c.rowPtr, err = readArray[int64](br, n+1, trusted, "row offsets"); err != nil {
		return nil, err
	}
	if c.colIdx, err = readArray[int32](br, nnz, trusted, "column indices"); err != nil {
		return nil, err
	}
	if _, err := readArray[int32](br, nnz%2, trusted, "padding"); err != nil {
		return nil, err
	}
	if c.val, err = readArray[float64](br, nnz, trusted, "values"); err != nil {
		return nil, err
	}
	labels, err := readArray[byte](br, nLabels, trusted, "labels")
	if err != nil {
		return nil, err
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: binary counts: bytes after the label section", ErrFormat)
	}
	if uint64(crc.Sum32()) != le.Uint64(h[48:]) {
		return nil, fmt.Errorf("%w: binary counts: the body's checksum does not match (corrupt file)", ErrFormat)
	}
	if err := c.checkCSR(); err != nil {
		return nil, err
	}
	if c.rowLabels, c.colLabels, err = decodeLabels(labels, c.n, c.p); err != nil {
		return nil, err
	}
	c.buildCSC()
	if err := c.computeSums(); err != nil {
		return nil, fmt.Errorf("binary counts: %w", err)
	}
	return c, nil
}

// readArray reads count little-endian values of T. Trusted (the file's
// size was checked against the header), it allocates them at once;
// otherwise it reads them in chunks of at most 2^20, so that memory
// follows what the stream really holds.
func readArray[T int64 | int32 | float64 | byte](r io.Reader, count uint64, trusted bool, what string) ([]T, error) {
	const chunk = 1 << 20
	if trusted {
		out := make([]T, count)
		if err := binary.Read(r, binary.LittleEndian, out); err != nil {
			return nil, fmt.Errorf("%w: binary counts: %s: %v (truncated file)", ErrFormat, what, err)
		}
		return out, nil
	}
	out := make([]T, 0, min(count, chunk))
	for uint64(len(out)) < count {
		part := make([]T, min(count-uint64(len(out)), chunk))
		if err := binary.Read(r, binary.LittleEndian, part); err != nil {
			return nil, fmt.Errorf("%w: binary counts: %s: %v (truncated file)", ErrFormat, what, err)
		}
		out = append(out, part...)
	}
	return out, nil
}

// checkCSR validates arrays read from a file: the same guarantees
// buildCounts gives the text readers.
func (c *Counts) checkCSR() error {
	if c.rowPtr[0] != 0 || c.rowPtr[c.n] != int64(len(c.val)) {
		return fmt.Errorf("%w: binary counts: row offsets run from %d to %d, want 0 to %d", ErrFormat, c.rowPtr[0], c.rowPtr[c.n], len(c.val))
	}
	for u := 0; u < c.n; u++ {
		lo, hi := c.rowPtr[u], c.rowPtr[u+1]
		if hi < lo {
			return fmt.Errorf("%w: binary counts: row %d: offsets fall from %d to %d", ErrFormat, u+1, lo, hi)
		}
		for e := lo; e < hi; e++ {
			if i := c.colIdx[e]; i < 0 || int(i) >= c.p {
				return fmt.Errorf("%w: binary counts: row %d: column index %d out of range [1,%d]", ErrIndexRange, u+1, int64(i)+1, c.p)
			}
			if e > lo && c.colIdx[e] <= c.colIdx[e-1] {
				return fmt.Errorf("%w: binary counts: row %d: column indices not strictly ascending", ErrFormat, u+1)
			}
			if v := c.val[e]; !(v >= 1) || v > maxExactCount || v != math.Trunc(v) {
				return fmt.Errorf("%w: binary counts: row %d, column %d: value %v is not a whole number in [1, 2^53)", ErrBadCount, u+1, c.colIdx[e]+1, v)
			}
		}
	}
	return nil
}

// decodeLabels reads the label section: row labels (none, or n), then
// column labels (none, or p).
func decodeLabels(b []byte, n, p int) (rows, cols []string, err error) {
	bad := errors.New("")
	list := func(want int) ([]string, error) {
		if len(b) < 8 {
			return nil, bad
		}
		m := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if m == 0 {
			return nil, nil
		}
		if m != uint64(want) || m > uint64(len(b))/4 {
			return nil, fmt.Errorf("%w: binary counts: %d labels for %d", ErrShape, m, want)
		}
		out := make([]string, m)
		for j := range out {
			if len(b) < 4 {
				return nil, bad
			}
			l := binary.LittleEndian.Uint32(b)
			b = b[4:]
			if uint64(l) > uint64(len(b)) {
				return nil, bad
			}
			out[j], b = string(b[:l]), b[l:]
		}
		return out, nil
	}
	if rows, err = list(n); err == nil {
		cols, err = list(p)
	}
	if err == nil && len(b) != 0 {
		err = bad
	}
	if err == bad {
		err = fmt.Errorf("%w: binary counts: the label section is malformed", ErrFormat)
	}
	return rows, cols, err
}
