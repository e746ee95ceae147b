//go:build linux

package sparse

import (
	"syscall"
	"testing"
	"unsafe"
)

// guarded returns n float64s that end exactly where a page the process
// may not read begins: a kernel that reads one element past them faults.
func guarded(t *testing.T, n int) []float64 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n*8 + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, size+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	all := unsafe.Slice((*float64)(unsafe.Pointer(&mem[0])), size/8)
	return all[size/8-n:]
}

// TestTailsStayInside: the kernels' last elements of a row (masked lanes
// on the eight-lane path, shorter steps on the others) read nothing past
// it. The factor whose rows they read, the fixed vector f and the
// accumulators each end at an unreadable page, at every K from 1 to 40,
// on every path; a read past the end is a fault, not a wrong number.
func TestTailsStayInside(t *testing.T) {
	onEachPath(t, func(t *testing.T) {
		for k := 1; k <= 40; k++ {
			const rows = 3
			g, f, acc := guarded(t, rows*k), guarded(t, k), guarded(t, k)
			for j := range g {
				g[j] = 1 + float64(j%7)
			}
			for j := range f {
				f[j] = 0.5
			}
			clear(acc)
			idx := []int32{2, 0, 2, 1, 2} // the last row, which ends at the guard, often
			x := []float64{1, 2, 3, 4, 5}
			s := make([]float64, len(idx))
			ratioAccum(f, g, idx, x, acc, s, underflow)
			for j := range acc {
				if !(acc[j] > 0) {
					t.Fatalf("K = %d: acc[%d] = %v", k, j, acc[j])
				}
			}
			// CD's gather reads the same rows with the same tails.
			for _, m := range []int{8, 13, 16} {
				idx := make([]int32, m)
				for e := range idx {
					idx[e] = int32(2 - e%2)
				}
				stride := GatherStride(m)
				gt, mu := make([]float64, (k-1)*stride+m), make([]float64, m)
				GatherRows(gt, mu, g, f, idx, stride)
				if !(mu[m-1] > 0) {
					t.Fatalf("K = %d, m = %d: rate %v", k, m, mu[m-1])
				}
			}
		}
	})
}
