package fitting

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/model"
)

func TestStatusAndRelativeChange(t *testing.T) {
	for s, want := range map[Status]string{Converged: "converged", MaxIterations: "max-iterations", Cancelled: "cancelled", 9: "Status(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
	for _, tc := range []struct {
		cur, prev, tol float64
		want           bool
	}{
		{100, 100.00001, 1e-6, true},
		{100, 100.001, 1e-6, false},
		{-5, -5, 0, true},
		{1, math.NaN(), 1e-3, false},
	} {
		if got := RelativeChange(tc.cur, tc.prev, tc.tol); got != tc.want {
			t.Errorf("RelativeChange(%v, %v, %v) = %v", tc.cur, tc.prev, tc.tol, got)
		}
	}
}

func TestDefaults(t *testing.T) {
	x, _ := model.NewCounts(2, 2, []int{0}, []int{0}, []float64{1})
	empty, _ := model.NewCounts(2, 2, nil, nil, nil)
	var maxIter, minIter, every, workers int
	var tol float64
	loop := Loop{K: 3, MaxIter: &maxIter, MinIter: &minIter, CheckEvery: &every, Tol: &tol, Workers: &workers}
	if err := loop.Defaults("pkg", x); err != nil {
		t.Fatal(err)
	}
	if maxIter != 1000 || minIter != 10 || every != 1 || tol != 1e-6 || workers != runtime.GOMAXPROCS(0) {
		t.Fatalf("defaults %d %d %d %v %d", maxIter, minIter, every, tol, workers)
	}
	for _, tc := range []struct {
		edit func()
		x    *model.Counts
		want string
	}{
		{func() { loop.K = 0 }, x, "pkg: K = 0"},
		{func() { loop.K = 1; maxIter = -1 }, x, "must not be negative"},
		{func() { maxIter = 0; tol = math.Inf(1) }, x, "Tol = +Inf"},
		{func() { tol = 0 }, empty, "no non-zeros"},
	} {
		tc.edit()
		if err := loop.Defaults("pkg", tc.x); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}
