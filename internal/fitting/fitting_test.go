package fitting

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestStatus(t *testing.T) {
	for s, want := range map[Status]string{Converged: "converged", MaxIterations: "max-iterations", Cancelled: "cancelled", 9: "Status(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}

func TestDefaults(t *testing.T) {
	var maxIter, minIter, every, workers int
	var tol float64
	loop := Loop{K: 3, MaxIter: &maxIter, MinIter: &minIter, CheckEvery: &every, Tol: &tol, Workers: &workers}
	if err := loop.Defaults("pkg", 2, 2, 1); err != nil {
		t.Fatal(err)
	}
	if maxIter != 1000 || minIter != 10 || every != 1 || tol != 1e-6 || workers != runtime.GOMAXPROCS(0) {
		t.Fatalf("defaults %d %d %d %v %d", maxIter, minIter, every, tol, workers)
	}
	for _, tc := range []struct {
		edit func()
		nnz  int
		want string
	}{
		{func() { loop.K = 0 }, 1, "pkg: K = 0"},
		{func() { loop.K = 1; maxIter = -1 }, 1, "must not be negative"},
		{func() { maxIter = 0; tol = math.Inf(1) }, 1, "Tol = +Inf"},
		{func() { tol = 0 }, 0, "no non-zeros"},
	} {
		tc.edit()
		if err := loop.Defaults("pkg", 2, 2, tc.nnz); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}
