package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/model"
)

// loadSaved loads a model directory; a missing or corrupt one is the
// user's to fix.
func loadSaved(dir string) (*model.Saved, error) {
	if dir == "" {
		return nil, usagef("no model: give -model DIR (saved by poisfact fit -out DIR)")
	}
	m, err := model.LoadModel(dir)
	if err != nil {
		return nil, usageError{err}
	}
	return m, nil
}

// rowIndex finds a row by label, or by 1-based number when the model has
// no row labels (or the label is not found and the text is a number in
// range).
func rowIndex(m *model.Saved, label string) (int, error) {
	n, _, _ := m.Dims()
	var found []int
	for u, l := range m.RowLabels {
		if l == label || strings.SplitN(l, "\t", 2)[0] == label {
			found = append(found, u)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		// Labels may repeat (poliblog names two documents alike): a
		// label that names several rows must not pick one silently.
		return 0, usagef("row %q names %d rows (%s): give a 1-based row number instead", label, len(found), rowNumbers(found))
	}
	if v, err := strconv.Atoi(label); err == nil && v >= 1 && v <= n {
		return v - 1, nil
	}
	return 0, usagef("row %q not found (give a row label, its first tab-separated field, or a number in 1..%d)", label, n)
}

// rowNumbers lists 1-based row numbers, the first few of them.
func rowNumbers(rows []int) string {
	var b strings.Builder
	for j, u := range rows {
		if j == 5 {
			fmt.Fprintf(&b, ", …")
			break
		}
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d", u+1)
	}
	return b.String()
}

func colLabel(m *model.Saved, i int) string {
	if m.ColLabels != nil {
		return m.ColLabels[i]
	}
	return strconv.Itoa(i + 1)
}

type recommendation struct {
	Rank  int     `json:"rank"`
	Col   string  `json:"col"`
	Score float64 `json:"score"`
}

func runRecommend(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("recommend", "-model DIR -row LABEL [-n N] [-json]", stderr)
	dir := fs.String("model", "", "saved model directory (poisfact fit -out DIR)")
	row := fs.String("row", "", "row label (or its first tab-separated field, or a 1-based row number)")
	n := fs.Int("n", 10, "number of columns to recommend")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *n <= 0 {
		return fail(stderr, "recommend", usagef("-n %d: want at least 1", *n))
	}
	if *row == "" {
		return fail(stderr, "recommend", usagef("no row: give -row LABEL"))
	}
	m, err := loadSaved(*dir)
	if err != nil {
		return fail(stderr, "recommend", err)
	}
	u, err := rowIndex(m, *row)
	if err != nil {
		return fail(stderr, "recommend", err)
	}
	var seen []*model.Counts
	if m.Train != nil {
		seen = append(seen, m.Train)
	}
	recs, err := evaluation.Recommend(m.Rates(), seen, []int{u}, *n, 0)
	if err != nil {
		return fail(stderr, "recommend", err)
	}
	out := []recommendation{} // JSON [] rather than null when nothing is left
	for r, it := range recs[0] {
		out = append(out, recommendation{r + 1, colLabel(m, it.Col), it.Score})
	}
	if len(out) == 0 {
		fmt.Fprintf(stderr, "poisfact recommend: row %q has every column already: nothing left to recommend\n", *row)
	}
	if *asJSON {
		return printJSON(stdout, stderr, "recommend", out)
	}
	if m.Train == nil {
		fmt.Fprintln(stderr, "poisfact recommend: the model holds no training counts, so seen columns are not excluded")
	}
	for _, r := range out {
		fmt.Fprintf(stdout, "%3d  %-12.6g  %s\n", r.Rank, r.Score, r.Col)
	}
	return 0
}

func runEvaluate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("evaluate", "-model DIR [-test FILE [-valid FILE]] [-train FILE] [-split-seed S] [-json]", stderr)
	dir := fs.String("model", "", "saved model directory (poisfact fit -out DIR)")
	trainFile := fs.String("train", "", "training counts, for a model saved without them (poisfact-beam fit -out); they are excluded from the ranking candidates")
	test := fs.String("test", "", "test counts, same shape as the training counts (default: the test part saved with the model by fit -holdout or -test)")
	valid := fs.String("valid", "", "validation counts, excluded from the ranking candidates like the training counts")
	seed := fs.Uint64("split-seed", 1, "seed of the held-out zero cells: the split's seed, as fit -split-seed (default: the one saved with the model)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	m, err := loadSaved(*dir)
	if err != nil {
		return fail(stderr, "evaluate", err)
	}
	if m.Train == nil && *trainFile != "" {
		n, p, _ := m.Dims()
		if m.Train, err = readCounts(*trainFile); err != nil {
			return fail(stderr, "evaluate", err)
		}
		if m.Train.Rows() != n || m.Train.Cols() != p {
			return fail(stderr, "evaluate", usagef("%s is %d × %d; the model is %d × %d", *trainFile, m.Train.Rows(), m.Train.Cols(), n, p))
		}
	}
	if m.Train == nil {
		return fail(stderr, "evaluate", usagef("%s holds no training counts: give -train FILE, or refit with poisfact fit -out", *dir))
	}
	d := &dataParts{all: m.Train, train: m.Train, valid: emptyLike(m.Train)}
	splitSeed := *seed
	if *test == "" {
		// The model's own split, saved with it by fit -out.
		if m.Test == nil || m.Test.NNZ() == 0 {
			return fail(stderr, "evaluate", usagef("%s holds no test counts (fit it with -holdout or -test): give -test FILE", *dir))
		}
		d.test = m.Test
		if m.Valid != nil {
			d.valid = m.Valid
		}
		if m.Fit != nil && !flagGiven(fs, "split-seed") {
			splitSeed = m.Fit.SplitSeed
		}
	} else {
		if d.test, err = readPart(*test, m.Train); err != nil {
			return fail(stderr, "evaluate", err)
		}
		if *valid != "" {
			if d.valid, err = readPart(*valid, m.Train); err != nil {
				return fail(stderr, "evaluate", err)
			}
		}
	}
	warnSameData(stderr, "evaluate", d)
	if err := d.heldOutSets(splitSeed, true); err != nil {
		return fail(stderr, "evaluate", err)
	}
	h, err := heldOutMetrics(m, d, 0)
	if err != nil {
		return fail(stderr, "evaluate", err)
	}
	if *asJSON {
		return printJSON(stdout, stderr, "evaluate", map[string]any{"model": m.Kind, "heldout": h})
	}
	printHeldOut(stdout, h)
	return 0
}

func runExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", "-model DIR -out DIR", stderr)
	dir := fs.String("model", "", "saved model directory (poisfact fit -out DIR)")
	out := fs.String("out", "", "directory to write row_factors.tsv and col_factors.tsv into")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *out == "" {
		return fail(stderr, "export", usagef("no output: give -out DIR"))
	}
	m, err := loadSaved(*dir)
	if err != nil {
		return fail(stderr, "export", err)
	}
	rows, cols := m.W, m.H
	if m.Kind == model.KindHPF {
		rows, cols = m.Posterior.ETheta(), m.Posterior.EBeta()
	}
	if err := os.MkdirAll(*out, 0o777); err != nil {
		return fail(stderr, "export", err)
	}
	for _, f := range []struct {
		name   string
		m      *mat.Dense
		labels []string
	}{{"row_factors.tsv", rows, m.RowLabels}, {"col_factors.tsv", cols, m.ColLabels}} {
		path := filepath.Join(*out, f.name)
		if err := os.WriteFile(path, factorTSV(f.m, f.labels), 0o666); err != nil {
			return fail(stderr, "export", err)
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	return 0
}

// factorTSV renders factor means as tab-separated text with a header
// "label f1 … fK" and one line per row, its label first (tabs inside a
// label become spaces, so the columns stay aligned).
func factorTSV(m *mat.Dense, labels []string) []byte {
	r, k := m.Dims()
	var b []byte
	b = append(b, "label"...)
	for j := 1; j <= k; j++ {
		b = append(b, fmt.Sprintf("\tf%d", j)...)
	}
	b = append(b, '\n')
	for i := 0; i < r; i++ {
		if labels != nil {
			b = append(b, strings.ReplaceAll(labels[i], "\t", " ")...)
		} else {
			b = strconv.AppendInt(b, int64(i+1), 10)
		}
		for j := 0; j < k; j++ {
			b = append(b, '\t')
			b = strconv.AppendFloat(b, m.At(i, j), 'g', -1, 64)
		}
		b = append(b, '\n')
	}
	return b
}

// firstField returns a label's text for a one-line listing: a
// "code<TAB>description" label shows its description.
func firstField(label string) string {
	if _, desc, ok := strings.Cut(label, "\t"); ok {
		return desc
	}
	return label
}

// flagGiven reports whether the flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
