// Package cliflag defines the flags the poisfact commands share, so that
// poisfact and the Beam module's poisfact-beam spell and document them
// alike.
package cliflag

import (
	"flag"
	"fmt"

	"github.com/poisfact/poisfact/model"
)

// Hyper defines the HPF hyperparameter flags (-a, -a-prime, -b-prime, -c,
// -c-prime, -d-prime, -non-hierarchical) on fs, writing into h; zero
// values mean model.HPF's defaults.
func Hyper(fs *flag.FlagSet, h *model.HPF) {
	fs.Float64Var(&h.A, "a", 0, fmt.Sprintf("hpf: shape a of the row weights θ (0: %g; the paper's is 0.3)", model.DefaultWeightShape))
	fs.Float64Var(&h.APrime, "a-prime", 0, "hpf: shape a' of the row activities ξ (0: 0.3)")
	fs.Float64Var(&h.BPrime, "b-prime", 0, "hpf: mean b' of the row activities: ξ ~ Gamma(a', a'/b') (0: 1)")
	fs.Float64Var(&h.C, "c", 0, fmt.Sprintf("hpf: shape c of the column weights β (0: %g; the paper's is 0.3)", model.DefaultWeightShape))
	fs.Float64Var(&h.CPrime, "c-prime", 0, "hpf: shape c' of the column popularities η (0: 0.3)")
	fs.Float64Var(&h.DPrime, "d-prime", 0, "hpf: mean d' of the column popularities (0: 1)")
	fs.BoolVar(&h.NonHierarchical, "non-hierarchical", false, "hpf: fix ξ = b' and η = d' instead of inferring them")
}
