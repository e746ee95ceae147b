package model

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// SampleSparse draws (ξ, θ, η, β, X) from the HPF generative model as
// Sample does, in O(total count + (n + p)K) rather than O(n·p·K), for
// matrices too large to visit cell by cell (Netflix-shaped: 480,189 ×
// 17,770). It uses the superposition of Poisson processes: with rates
// μ_ui = s Σ_k θ_uk β_ik, the counts of factor k total
// C_k ~ Poisson(s Σ_u θ_uk · Σ_i β_ik), and each of its units falls in cell
// (u, i) with probability θ_uk/Σ_u θ_uk · β_ik/Σ_i β_ik, row and column
// drawn independently. Summing over k gives X with the law of Sample's,
// though not the same draw for a seed.
//
// With totalNNZ > 0 the scale s is chosen so that the expected total count
// is totalNNZ (the number of non-zeros is somewhat less, as units fall in
// the same cell); scale is then ignored. Memory is 8 bytes per unit drawn
// plus the Counts.
func SampleSparse(n, p, k int, h HPF, scale float64, totalNNZ int64, seed uint64) (*Truth, *Counts, error) {
	if scale == 0 {
		scale = 1
	}
	if !(scale > 0) || totalNNZ < 0 || totalNNZ > maxNNZ {
		return nil, nil, fmt.Errorf("model: rate scale %v, total %d: want a positive scale and a total in [0, %d]", scale, totalNNZ, int64(maxNNZ))
	}
	t, err := drawParameters(n, p, k, h, seed)
	if err != nil {
		return nil, nil, err
	}
	rowTotals, colTotals := make([]float64, k), make([]float64, k)
	for j := 0; j < k; j++ {
		rowTotals[j], colTotals[j] = ColSum(t.Theta, j), ColSum(t.Beta, j)
	}
	var mass float64
	for j := range rowTotals {
		mass += rowTotals[j] * colTotals[j]
	}
	if totalNNZ > 0 {
		scale = float64(totalNNZ) / mass
	}
	t.Scale = scale
	if mass*scale > maxNNZ {
		return nil, nil, fmt.Errorf("model: the expected total count %.3g exceeds %d units", mass*scale, int64(maxNNZ))
	}
	src := rand.New(rand.NewPCG(seed, 3))
	pois := distuv.Poisson{Src: rand.NewPCG(seed, 4)}
	// The factors' totals first, so that cells (each unit as
	// row<<32 | column) is allocated once, at its size.
	counts := make([]int, k)
	units := 0
	for j := range counts {
		if pois.Lambda = scale * rowTotals[j] * colTotals[j]; pois.Lambda > 0 {
			counts[j] = int(pois.Rand())
			units += counts[j]
		}
	}
	cells := make([]uint64, 0, units)
	for j, count := range counts {
		if count == 0 {
			continue
		}
		rows := newAlias(t.Theta.RawMatrix().Data, j, k)
		cols := newAlias(t.Beta.RawMatrix().Data, j, k)
		for c := 0; c < count; c++ {
			cells = append(cells, uint64(rows.draw(src))<<32|uint64(cols.draw(src)))
		}
	}
	slices.Sort(cells)
	distinct := 0
	for e := range cells {
		if e == 0 || cells[e] != cells[e-1] {
			distinct++
		}
	}
	ri, ci, vals := make([]int32, 0, distinct), make([]int32, 0, distinct), make([]float64, 0, distinct)
	for e := 0; e < len(cells); {
		f := e
		for f < len(cells) && cells[f] == cells[e] {
			f++
		}
		ri, ci, vals = append(ri, int32(cells[e]>>32)), append(ci, int32(cells[e]&0xffffffff)), append(vals, float64(f-e))
		e = f
	}
	cells = nil
	x, err := buildCounts(n, p, ri, ci, vals)
	if err != nil {
		return nil, nil, err
	}
	return t, x, nil
}

// alias is Walker's alias table for drawing an index with probability
// proportional to a column of a row-major matrix, in O(1) a draw.
type alias struct {
	prob  []float64
	other []int32
}

// newAlias builds the table for column j of the m × k row-major a.
func newAlias(a []float64, j, k int) alias {
	m := len(a) / k
	var total float64
	for u := 0; u < m; u++ {
		total += a[u*k+j]
	}
	t := alias{prob: make([]float64, m), other: make([]int32, m)}
	var small, large []int32
	for u := 0; u < m; u++ {
		t.prob[u] = a[u*k+j] / total * float64(m)
		if t.prob[u] < 1 {
			small = append(small, int32(u))
		} else {
			large = append(large, int32(u))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.other[s] = l
		t.prob[l] -= 1 - t.prob[s]
		if t.prob[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, u := range append(small, large...) {
		t.prob[u], t.other[u] = 1, u // rounding leftovers
	}
	return t
}

// draw returns an index with probability proportional to the column.
func (t alias) draw(r *rand.Rand) int {
	u := r.IntN(len(t.prob))
	if r.Float64() < t.prob[u] {
		return u
	}
	return int(t.other[u])
}
