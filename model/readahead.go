package model

import "io"

// readAhead reads its source in a goroutine into a ring of buffers, so
// that the producer (gzip inflation) and the consumer (parsing) run on two
// cores at once.
type readAhead struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	cur  chunk
	off  int
}

type chunk struct {
	buf []byte
	err error
}

const (
	readAheadBuffers = 4
	readAheadSize    = 1 << 20
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan chunk, readAheadBuffers),
		free: make(chan []byte, readAheadBuffers),
		done: make(chan struct{}),
	}
	for range readAheadBuffers {
		ra.free <- make([]byte, readAheadSize)
	}
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := io.ReadFull(src, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF // a short last read of a complete stream
			}
			select {
			case ra.full <- chunk{buf[:n], err}:
			case <-ra.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

// Read implements io.Reader.
func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.off == len(ra.cur.buf) {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.buf != nil {
			ra.free <- ra.cur.buf[:cap(ra.cur.buf)]
		}
		ra.cur = <-ra.full
		ra.off = 0
	}
	n := copy(p, ra.cur.buf[ra.off:])
	ra.off += n
	return n, nil
}

// Close stops the producer goroutine.
func (ra *readAhead) Close() error {
	select {
	case <-ra.done:
	default:
		close(ra.done)
	}
	return nil
}
