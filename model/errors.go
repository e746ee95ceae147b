package model

import "errors"

// Sentinel errors. Errors returned by this package wrap one of these where
// it applies, so callers can test with errors.Is; the message of the
// returned error names the file, line or entry at fault.
var (
	// ErrBadCount is wrapped by errors for negative, fractional, NaN,
	// infinite or too large counts.
	ErrBadCount = errors.New("model: invalid count")
	// ErrIndexRange is wrapped by errors for a row or column index outside
	// the matrix.
	ErrIndexRange = errors.New("model: index out of range")
	// ErrShape is wrapped by errors for impossible or mismatched shapes:
	// zero rows or columns, label lists of the wrong length, too many
	// non-zeros.
	ErrShape = errors.New("model: invalid shape")
	// ErrFormat is wrapped by errors for malformed or unsupported files.
	ErrFormat = errors.New("model: malformed input")
)
