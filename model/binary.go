package model

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unsafe"
)

// The binary format of a Counts (file extension .pfb), version 2. Every
// number is little-endian; every array starts at a multiple of 8 bytes.
//
//	offset  size        field
//	0       8           magic "POISFACT"
//	8       4           version (2; 1 is read too)
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
//	        8(p+1)      CSC column offsets (int64)                       } version 2
//	        4·nnz       CSC row indices (int32), ascending in each column, } only
//	                    then zero padding to 8                             }
//	        4·nnz       CSC positions (int32): entry d of the column-major }
//	                    view is CSR entry cscPos[d]; padding to 8          }
//	        labels      two lists (rows, then columns), each a uint64 count (0: none)
//	                    then, per label, a uint32 length and its bytes
//
// Version 1 has no column-major arrays, and they are rebuilt on load, a
// scattered transpose that took a third of the load time on
// linux-6.1-bow; version 2 stores them (the file grows by 8 bytes per
// non-zero) and checks them in two sequential passes instead: offsets
// monotone, rows in range and strictly ascending in each column,
// positions in range, and the sum of a 64-bit hash of every (row, column,
// position) triple equal over the row-major and the column-major arrays,
// so that a column-major view that is not the transpose of the rows is
// refused (but for a chance of 2^-64 against a file forged for it).
// Loading checks as much as the text readers do: the magic, the version,
// both checksums, that the sizes fit the file before allocating, offsets
// monotone, indices in range and strictly ascending, values whole and
// positive, the total below 2^53.
const (
	binaryMagic   = "POISFACT"
	binaryVersion = 2
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
		pad := func() {
			if len(c.colIdx)%2 == 1 {
				bw.Write(make([]byte, 4))
			}
		}
		pad()
		for _, a := range []any{c.val, c.colPtr, c.rowIdx} {
			if err := binary.Write(bw, le, a); err != nil {
				return err
			}
		}
		pad()
		if err := binary.Write(bw, le, c.cscPos); err != nil {
			return err
		}
		pad()
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

// ReadBinaryShape reads only the header of a file WriteBinary wrote and
// returns the matrix's shape and non-zeros, checking the header as
// ReadBinary does (size is the file's size, or -1 when unknown): what a
// runner needs to plan a fit over row shards without reading them.
func ReadBinaryShape(r io.Reader, size int64) (n, p, nnz int, err error) {
	var h [binaryHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, 0, 0, fmt.Errorf("%w: binary counts: header: %v (truncated file)", ErrFormat, err)
	}
	l, err := parseBinaryHeader(h[:], size)
	if err != nil {
		return 0, 0, 0, err
	}
	return int(l.n), int(l.p), int(l.nnz), nil
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
	hd, err := parseBinaryHeader(h[:], size)
	if err != nil {
		return nil, err
	}
	n, p, nnz, nLabels := hd.n, hd.p, hd.nnz, hd.labels
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
	if hd.version >= 2 {
		if c.colPtr, err = readArray[int64](br, p+1, trusted, "column offsets"); err != nil {
			return nil, err
		}
		if c.rowIdx, err = readArray[int32](br, nnz, trusted, "row indices"); err != nil {
			return nil, err
		}
		if _, err := readArray[int32](br, nnz%2, trusted, "padding"); err != nil {
			return nil, err
		}
		if c.cscPos, err = readArray[int32](br, nnz, trusted, "column-major positions"); err != nil {
			return nil, err
		}
		if _, err := readArray[int32](br, nnz%2, trusted, "padding"); err != nil {
			return nil, err
		}
	}
	labels, err := readArray[byte](br, nLabels, trusted, "labels")
	if err != nil {
		return nil, err
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: binary counts: bytes after the label section", ErrFormat)
	}
	if crc.Sum32() != hd.bodyCRC {
		return nil, errBodyChecksum
	}
	return c, c.finishBinary(labels)
}

var errBodyChecksum = fmt.Errorf("%w: binary counts: the body's checksum does not match (corrupt file)", ErrFormat)

// binaryLayout is what a binary file's header declares.
type binaryLayout struct {
	version           uint32
	n, p, nnz, labels uint64
	bodyCRC           uint32
}

// bodySize is the number of bytes after the header.
func (l binaryLayout) bodySize() uint64 {
	index := 4*l.nnz + 4*(l.nnz%2) // an int32 array padded to 8 bytes
	size := 8*(l.n+1) + index + 8*l.nnz + l.labels
	if l.version >= 2 {
		size += 8*(l.p+1) + 2*index
	}
	return size
}

// parseBinaryHeader checks the header h and, when size ≥ 0, that the file
// of that size holds exactly what it declares.
func parseBinaryHeader(h []byte, size int64) (binaryLayout, error) {
	le := binary.LittleEndian
	switch {
	case string(h[0:8]) != binaryMagic:
		return binaryLayout{}, fmt.Errorf("%w: not a poisfact binary file (no %q signature)", ErrFormat, binaryMagic)
	case le.Uint64(h[56:]) != uint64(crc32.Checksum(h[:56], crcTable)):
		return binaryLayout{}, fmt.Errorf("%w: binary counts: the header's checksum does not match (corrupt file)", ErrFormat)
	case le.Uint32(h[8:]) != 1 && le.Uint32(h[8:]) != binaryVersion:
		return binaryLayout{}, fmt.Errorf("%w: binary counts of format version %d; this version of poisfact reads versions 1 and %d", ErrFormat, le.Uint32(h[8:]), binaryVersion)
	}
	l := binaryLayout{version: le.Uint32(h[8:]), n: le.Uint64(h[16:]), p: le.Uint64(h[24:]), nnz: le.Uint64(h[32:]), labels: le.Uint64(h[40:]), bodyCRC: uint32(le.Uint64(h[48:]))}
	n, p, nnz := l.n, l.p, l.nnz
	switch {
	case n == 0 || p == 0:
		return l, fmt.Errorf("%w: binary counts: %d × %d matrix is empty", ErrShape, n, p)
	case n > maxDim || p > maxDim:
		return l, fmt.Errorf("%w: binary counts: %d × %d exceeds %d rows or columns", ErrShape, n, p, maxDim)
	case nnz > maxNNZ || float64(nnz) > float64(n)*float64(p):
		return l, fmt.Errorf("%w: binary counts: %d non-zeros do not fit a %d × %d matrix", ErrShape, nnz, n, p)
	case l.labels > 1<<40:
		return l, fmt.Errorf("%w: binary counts: a label section of %d bytes", ErrFormat, l.labels)
	}
	if size >= 0 && uint64(size) != binaryHeader+l.bodySize() {
		return l, fmt.Errorf("%w: binary counts: the header declares %d bytes, the file holds %d (truncated or padded)", ErrFormat, binaryHeader+l.bodySize(), size)
	}
	return l, nil
}

// finishBinary validates the arrays and labels just read and builds the
// rest of c: the column-major view when the file had none.
func (c *Counts) finishBinary(labels []byte) error {
	rowsHash, err := c.checkCSR()
	if err != nil {
		return err
	}
	if c.colPtr == nil {
		c.buildCSC()
	} else if err := c.checkCSC(rowsHash); err != nil {
		return err
	}
	c.rowLabels, c.colLabels, err = decodeLabels(labels, c.n, c.p)
	return err
}

// readArray reads count little-endian values of T. Trusted (the file's
// size was checked against the header), it allocates them at once;
// otherwise it reads them in chunks of at most 2^20, so that memory
// follows what the stream really holds.
func readArray[T int64 | int32 | float64 | byte](r io.Reader, count uint64, trusted bool, what string) ([]T, error) {
	const chunk = 1 << 20
	if trusted {
		out := make([]T, count)
		if err := readLittleEndian(r, out); err != nil {
			return nil, fmt.Errorf("%w: binary counts: %s: %v (truncated file)", ErrFormat, what, err)
		}
		return out, nil
	}
	out := make([]T, 0, min(count, chunk))
	for uint64(len(out)) < count {
		part := make([]T, min(count-uint64(len(out)), chunk))
		if err := readLittleEndian(r, part); err != nil {
			return nil, fmt.Errorf("%w: binary counts: %s: %v (truncated file)", ErrFormat, what, err)
		}
		out = append(out, part...)
	}
	return out, nil
}

// littleEndianHost is whether this processor stores numbers as the file
// does, so that an array's bytes can be read straight into its memory.
var littleEndianHost = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// readLittleEndian fills dst from r's little-endian bytes. On a
// little-endian processor it reads into dst's memory directly, which
// measured 2.7 times faster than encoding/binary's decoding on
// linux-6.1-bow and allocates nothing; elsewhere it decodes.
func readLittleEndian[T int64 | int32 | float64 | byte](r io.Reader, dst []T) error {
	if !littleEndianHost || len(dst) == 0 {
		return binary.Read(r, binary.LittleEndian, dst)
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*int(unsafe.Sizeof(dst[0])))
	_, err := io.ReadFull(r, raw)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// checkCSR validates arrays read from a file: the same guarantees
// buildCounts gives the text readers.
// It fills the row and column totals on the way (scanRows) and returns
// the sum of entryHash over the entries.
func (c *Counts) checkCSR() (uint64, error) {
	if err := checkOffsets(c.rowPtr, len(c.val), "row"); err != nil {
		return 0, err
	}
	return c.scanRows(true)
}

// checkOffsets checks that a CSR or CSC offset array runs from 0 to nnz
// without falling.
func checkOffsets(ptr []int64, nnz int, what string) error {
	last := len(ptr) - 1
	if ptr[0] != 0 || ptr[last] != int64(nnz) {
		return fmt.Errorf("%w: binary counts: %s offsets run from %d to %d, want 0 to %d", ErrFormat, what, ptr[0], ptr[last], nnz)
	}
	for j := 0; j < last; j++ {
		if lo, hi := ptr[j], ptr[j+1]; hi < lo {
			return fmt.Errorf("%w: binary counts: %s %d: offsets fall from %d to %d", ErrFormat, what, j+1, lo, hi)
		}
	}
	return nil
}

// checkCSC checks a column-major view read from a file against the rows
// it claims to index (see the format's comment): rowsHash is the sum of
// entryHash over the row-major entries.
func (c *Counts) checkCSC(rowsHash uint64) error {
	nnz := len(c.val)
	if err := checkOffsets(c.colPtr, nnz, "column"); err != nil {
		return err
	}
	cols := blocksOf(c.colPtr, buildBlocks(nnz))
	errs := make([]error, cols.Len())
	hashes := make([]uint64, cols.Len())
	cols.Run(cols.Len(), func(_, b, lo, hi int) {
		var h uint64
		for i := lo; i < hi; i++ {
			lo, hi := c.colPtr[i], c.colPtr[i+1]
			for d := lo; d < hi; d++ {
				u, e := c.rowIdx[d], c.cscPos[d]
				switch {
				case u < 0 || int(u) >= c.n || e < 0 || int(e) >= nnz:
					errs[b] = fmt.Errorf("%w: binary counts: column %d: row %d or position %d out of range", ErrIndexRange, i+1, int64(u)+1, e)
					return
				case d > lo && u <= c.rowIdx[d-1]:
					errs[b] = fmt.Errorf("%w: binary counts: column %d: row indices not strictly ascending", ErrFormat, i+1)
					return
				}
				h += entryHash(u, int32(i), e)
			}
		}
		hashes[b] = h
	})
	if err := firstNonNil(errs); err != nil {
		return err
	}
	if sumHashes(hashes) != rowsHash {
		return fmt.Errorf("%w: binary counts: the column-major arrays are not the transpose of the rows", ErrFormat)
	}
	return nil
}

// entryHash mixes an entry's row, column and CSR position into 64 bits
// (SplitMix64's finalizer), so that sums of it over two lists of entries
// agree only when the lists hold the same entries.
func entryHash(u, i, e int32) uint64 {
	z := uint64(uint32(u))<<32 | uint64(uint32(i))
	z ^= uint64(uint32(e)) * 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// sumHashes adds the blocks' hash sums (mod 2^64, so in any order).
func sumHashes(h []uint64) uint64 {
	var s uint64
	for _, v := range h {
		s += v
	}
	return s
}

// firstNonNil returns the first error of errs that is not nil, or nil.
func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkEntry checks CSR entry e, in row u whose entries start at lo.
func (c *Counts) checkEntry(u int, e, lo int64) error {
	i := c.colIdx[e]
	if i < 0 || int(i) >= c.p {
		return fmt.Errorf("%w: binary counts: row %d: column index %d out of range [1,%d]", ErrIndexRange, u+1, int64(i)+1, c.p)
	}
	if e > lo && i <= c.colIdx[e-1] {
		return fmt.Errorf("%w: binary counts: row %d: column indices not strictly ascending", ErrFormat, u+1)
	}
	if v := c.val[e]; !(v >= 1) || v > maxExactCount || v != math.Trunc(v) {
		return fmt.Errorf("%w: binary counts: row %d, column %d: value %v is not a whole number in [1, 2^53)", ErrBadCount, u+1, i+1, v)
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

// countsFromImage builds a Counts whose CSR arrays are views of m, the
// whole binary file of size bytes, after checking it as ReadBinary does.
// m must be 8-byte aligned and little-endian numbers this processor's.
func countsFromImage(m []byte, size int64) (*Counts, error) {
	if len(m) < binaryHeader {
		return nil, fmt.Errorf("%w: binary counts: header: %d bytes (truncated file)", ErrFormat, len(m))
	}
	l, err := parseBinaryHeader(m[:binaryHeader], size)
	if err != nil {
		return nil, err
	}
	// The checksum runs beside the checks of the arrays (measured on
	// linux-6.1-bow: 60 ms alone); a bad checksum is the error reported
	// whatever the checks found, since the checks of a corrupt file say
	// less than that it is corrupt.
	sum := make(chan uint32, 1)
	go func() { sum <- crc32.Checksum(m[binaryHeader:], crcTable) }()
	c, err := viewImage(m, l)
	if <-sum != l.bodyCRC {
		return nil, errBodyChecksum
	}
	return c, err
}

// viewImage builds the Counts whose arrays are views of the image m with
// layout l, and checks it.
func viewImage(m []byte, l binaryLayout) (*Counts, error) {
	// Every array starts at a multiple of 8 bytes from the start of the
	// file, and a mapping starts on a page: the views are aligned.
	off := uint64(binaryHeader)
	view := func(bytes uint64) unsafe.Pointer {
		if bytes == 0 {
			return nil
		}
		p := unsafe.Pointer(&m[off])
		off += bytes
		return p
	}
	c := &Counts{n: int(l.n), p: int(l.p), consts: &dataConstants{}}
	c.rowPtr = unsafe.Slice((*int64)(view(8*(l.n+1))), l.n+1)
	c.colIdx = unsafe.Slice((*int32)(view(4*l.nnz+4*(l.nnz%2))), l.nnz)
	c.val = unsafe.Slice((*float64)(view(8*l.nnz)), l.nnz)
	if l.version >= 2 {
		c.colPtr = unsafe.Slice((*int64)(view(8*(l.p+1))), l.p+1)
		c.rowIdx = unsafe.Slice((*int32)(view(4*l.nnz+4*(l.nnz%2))), l.nnz)
		c.cscPos = unsafe.Slice((*int32)(view(4*l.nnz+4*(l.nnz%2))), l.nnz)
	}
	labels := m[off : off+l.labels]
	return c, c.finishBinary(labels)
}
