package model

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// utf8BOM is the byte-order mark some editors put at the start of a UTF-8
// file; it is not part of the first line.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// lineReader yields the lines of a text stream with their 1-based
// numbers, without a trailing "\n" or "\r\n". The returned slice is valid
// until the next call.
type lineReader struct {
	br   *bufio.Reader
	line int
	long []byte // holds a line longer than the buffer
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 1<<20)}
}

// next returns the next line, or io.EOF after the last one, with a UTF-8
// byte-order mark removed from the first. Any other error is the stream's
// (a truncated gzip file, say), as "line N: ..." wrapping ErrFormat.
func (lr *lineReader) next() ([]byte, error) {
	b, err := lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = lr.br.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	if err != nil && err != io.EOF {
		if !errors.Is(err, ErrFormat) {
			err = fmt.Errorf("%w: reading: %w", ErrFormat, err)
		}
		return nil, fmt.Errorf("line %d: %w", lr.line+1, err)
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	lr.line++
	if lr.line == 1 {
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, nil
}

// errorf formats an error at the current line, wrapping kind. Every
// error of the text readers has this one shape, "line N: KIND: detail",
// and the file name goes in front of it (ReadFile).
func (lr *lineReader) errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("line %d: %w: %s", lr.line, kind, fmt.Sprintf(format, args...))
}

// at puts the current line in front of err, a KIND: detail error from a
// helper that does not know the line.
func (lr *lineReader) at(err error) error {
	return fmt.Errorf("line %d: %w", lr.line, err)
}

// maxQuote is the most bytes of a line or field an error quotes.
const maxQuote = 60

// quote returns b quoted for an error message, cut to maxQuote bytes with
// the full length said, so that a 10 MB field does not become a 10 MB
// message.
func quote(b []byte) string {
	if len(b) <= maxQuote {
		return strconv.Quote(string(b))
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(string(b[:maxQuote])), len(b))
}

// isSpace reports whether b separates fields in a whitespace-separated
// line.
func isSpace(b byte) bool { return b == ' ' || b == '\t' }

// nextField returns the field of s that starts at or after i, split on
// spaces and tabs, and the index after it.
func nextField(s []byte, i int) (field []byte, end int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], j
}

// parseUint parses a decimal unsigned integer of at most 18 digits; ok is
// false for anything else.
func parseUint(b []byte) (v int64, ok bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, ch := range b {
		d := ch - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	return v, true
}
