package main

import (
	"fmt"
	"io"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/model"
)

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("simulate", "-rows n -cols p -k K [-seed S] -out FILE", stderr)
	n := fs.Int("rows", 500, "number of rows n")
	p := fs.Int("cols", 400, "number of columns p")
	k := fs.Int("k", 5, "number of factors K")
	seed := fs.Uint64("seed", 1, "random seed")
	scale := fs.Float64("scale", 1, "global factor on every rate, to set the density")
	aPrime := fs.Float64("a-prime", 2, "shape a' of the row activities (the paper's 0.3 gives rates beyond any count type)")
	cPrime := fs.Float64("c-prime", 2, "shape c' of the column popularities")
	total := fs.Int64("total", 0, "draw by the sparse sampler with this expected total count (cost O(total + (n+p)K), for Netflix-sized matrices); -scale is then ignored")
	out := fs.String("out", "", "file to write: .mtx (Matrix Market) or .tsv/.csv (triplets), optionally .gz, or .pfb (binary) (required)")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	switch {
	case *out == "":
		return fail(stderr, "simulate", usagef("no output: give -out FILE"))
	case *n <= 0 || *p <= 0:
		return fail(stderr, "simulate", usagef("-rows %d -cols %d: want at least one of each", *n, *p))
	case *k <= 0:
		return fail(stderr, "simulate", usagef("-k %d: want K ≥ 1", *k))
	case !(*scale > 0):
		return fail(stderr, "simulate", usagef("-scale %v: want a positive number", *scale))
	case *total < 0:
		return fail(stderr, "simulate", usagef("-total %d: want 0 (the dense sampler) or more", *total))
	case *total == 0 && float64(*n)*float64(*p)*float64(*k) > 2e10:
		return fail(stderr, "simulate", usagef("%d × %d × %d is too large for the dense sampler (n·p·K): give -total N for the sparse one", *n, *p, *k))
	}
	h := model.HPF{APrime: *aPrime, CPrime: *cPrime}
	if err := h.Validate(); err != nil {
		return fail(stderr, "simulate", usageError{err})
	}
	sample := func() (*model.Counts, error) {
		if *total > 0 {
			_, x, err := model.SampleSparse(*n, *p, *k, h, 0, *total, *seed)
			return x, err
		}
		_, x, err := model.Sample(*n, *p, *k, h, *scale, *seed)
		return x, err
	}
	x, err := sample()
	if err != nil {
		return fail(stderr, "simulate", usageError{err})
	}
	if err := model.WriteFile(*out, x); err != nil {
		return fail(stderr, "simulate", usageError{err})
	}
	fmt.Fprintf(stdout, "wrote %s: %d × %d, %d non-zeros (density %.4f), total %.0f\n", *out, *n, *p, x.NNZ(), x.Density(), x.Total())
	return 0
}

func runFactors(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("factors", "-model DIR [-n N] [-json]", stderr)
	dir := fs.String("model", "", "saved model directory (poisfact fit -out DIR)")
	n := fs.Int("n", 10, "columns to list per factor")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *n <= 0 {
		return fail(stderr, "factors", usagef("-n %d: want at least 1", *n))
	}
	m, err := loadSaved(*dir)
	if err != nil {
		return fail(stderr, "factors", err)
	}
	cols := m.H
	if m.Kind == model.KindHPF {
		cols = m.Posterior.EBeta()
	}
	top := evaluation.TopColumnsPerFactor(cols, *n)
	if *asJSON {
		out := make([][]recommendation, len(top))
		for k, items := range top {
			for r, it := range items {
				out[k] = append(out[k], recommendation{r + 1, colLabel(m, it.Col), it.Score})
			}
		}
		return printJSON(stdout, stderr, "factors", out)
	}
	for k, items := range top {
		fmt.Fprintf(stdout, "factor %d:", k+1)
		for _, it := range items {
			fmt.Fprintf(stdout, "  %s", firstField(colLabel(m, it.Col)))
		}
		fmt.Fprintln(stdout)
	}
	return 0
}
