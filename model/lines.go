package model

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

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

// next returns the next line, or io.EOF after the last one. Any other error
// is the stream's (a truncated gzip file, say), prefixed with the line.
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
		return nil, fmt.Errorf("line %d: %w", lr.line+1, err)
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	lr.line++
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, nil
}

// errorf formats an error at the current line, wrapping kind.
func (lr *lineReader) errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", kind, lr.line, fmt.Sprintf(format, args...))
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
