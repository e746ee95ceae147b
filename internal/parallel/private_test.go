package parallel

import (
	"sync"
	"testing"
	"unsafe"
)

// lineBytes is a cache line's size on the processors the guards are for.
const lineBytes = 64

// bytesBetween returns the bytes from the end of a to the start of b.
func bytesBetween(a, b []float64) int {
	end := uintptr(unsafe.Pointer(unsafe.SliceData(a))) + uintptr(len(a))*8
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - end)
}

// TestPrivate: a Private buffer is zeroed, has no spare capacity (an
// append moves it rather than writing into the padding), and two made one
// after the other are at least two cache lines apart.
func TestPrivate(t *testing.T) {
	for _, n := range []int{1, 7, 50, 1000} {
		a, b := Private(n), Private(n)
		if len(a) != n || cap(a) != n {
			t.Fatalf("n = %d: len %d, cap %d", n, len(a), cap(a))
		}
		for j, v := range a {
			if v != 0 {
				t.Fatalf("n = %d: element %d is %v", n, j, v)
			}
		}
		if c := append(a, 1); unsafe.SliceData(c) == unsafe.SliceData(a) {
			t.Fatalf("n = %d: append wrote past the buffer", n)
		}
		gap := bytesBetween(a, b)
		if gap < 0 {
			gap = bytesBetween(b, a)
		}
		if gap < 2*lineBytes {
			t.Errorf("n = %d: buffers %d bytes apart, want at least %d", n, gap, 2*lineBytes)
		}
	}
}

// TestReducerVectorsApart: neighbouring chunks' vectors, which two
// workers fill at the same time, are at least two cache lines apart.
func TestReducerVectorsApart(t *testing.T) {
	for _, m := range []int{1, 8, 51, 101} {
		r := NewReducer(Balanced(100, 1, func(int) int64 { return 0 }), m, nil)
		for k := 0; k+1 < r.c.Len(); k++ {
			if gap := bytesBetween(r.vec(k), r.vec(k+1)); gap < 2*lineBytes {
				t.Fatalf("m = %d: vectors of chunks %d and %d are %d bytes apart", m, k, k+1, gap)
			}
		}
		if got := bytesBetween(r.vecs[:0], r.vec(0)); got < 2*lineBytes {
			t.Fatalf("m = %d: chunk 0's vector %d bytes from the start", m, got)
		}
	}
}

// BenchmarkFalseSharing shows what Private is for: two goroutines each
// add to their own 50-float64 buffer, made one after the other by make
// (neighbours in memory) or by Private.
func BenchmarkFalseSharing(b *testing.B) {
	for _, alloc := range []struct {
		name string
		make func(n int) []float64
	}{
		{"make", func(n int) []float64 { return make([]float64, n) }},
		{"Private", Private},
	} {
		b.Run(alloc.name, func(b *testing.B) {
			bufs := [2][]float64{alloc.make(50), alloc.make(50)}
			for b.Loop() {
				var wg sync.WaitGroup
				for _, buf := range bufs {
					wg.Go(func() {
						for r := range 10000 {
							for j := range buf {
								buf[j] += float64(r)
							}
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e4, "ns/row")
		})
	}
}
