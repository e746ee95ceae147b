package notebook

import (
	"testing"

	"gonum.org/v1/plot"
)

// TestDistinctTicks checks that tick labels differ where gonum's default
// repeats them, and read as the default's where it does not.
func TestDistinctTicks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		min, max float64
		want     []string // the labelled ticks, in order
	}{
		{"narrow log-likelihoods", -1.915, -1.785, []string{"-1.90", "-1.85", "-1.80"}},
		{"seconds", 0, 330, []string{"0", "100", "200", "300"}},
		{"fractions", 0, 1, []string{"0.0", "0.5", "1.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range (distinctTicks{}).Ticks(tc.min, tc.max) {
				if tk.Label != "" {
					got = append(got, tk.Label)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("labels %q, want %q (default %v)", got, tc.want, plot.DefaultTicks{}.Ticks(tc.min, tc.max))
			}
			for j := range got {
				if got[j] != tc.want[j] {
					t.Fatalf("labels %q, want %q", got, tc.want)
				}
			}
		})
	}
}
