package main

import (
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
	for u, l := range m.RowLabels {
		if l == label || strings.SplitN(l, "\t", 2)[0] == label {
			return u, nil
		}
	}
	if v, err := strconv.Atoi(label); err == nil && v >= 1 && v <= n {
		return v - 1, nil
	}
	return 0, usagef("row %q not found (give a row label, its first tab-separated field, or a number in 1..%d)", label, n)
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
	recs, err := evaluation.Recommend(scorerOf(m), seen, []int{u}, *n, 0)
	if err != nil {
		return fail(stderr, "recommend", err)
	}
	var out []recommendation
	for r, it := range recs[0] {
		out = append(out, recommendation{r + 1, colLabel(m, it.Col), it.Score})
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
	fs := newFlagSet("evaluate", "-model DIR -test FILE [-valid FILE] [-split-seed S] [-json]", stderr)
	dir := fs.String("model", "", "saved model directory (poisfact fit -out DIR)")
	test := fs.String("test", "", "test counts, same shape as the training counts")
	valid := fs.String("valid", "", "validation counts, excluded from the ranking candidates like the training counts")
	seed := fs.Uint64("split-seed", 1, "seed of the held-out zero cells: the split's seed, as fit -split-seed")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *test == "" {
		return fail(stderr, "evaluate", usagef("no test set: give -test FILE"))
	}
	m, err := loadSaved(*dir)
	if err != nil {
		return fail(stderr, "evaluate", err)
	}
	if m.Train == nil {
		return fail(stderr, "evaluate", usagef("%s holds no training counts: refit with poisfact fit -out", *dir))
	}
	d := &dataParts{all: m.Train, train: m.Train, valid: emptyLike(m.Train)}
	if d.test, err = readPart(*test, m.Train); err != nil {
		return fail(stderr, "evaluate", err)
	}
	if *valid != "" {
		if d.valid, err = readPart(*valid, m.Train); err != nil {
			return fail(stderr, "evaluate", err)
		}
	}
	if err := d.heldOutSets(*seed, true); err != nil {
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
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(stderr, "export", err)
	}
	for _, f := range []struct {
		name   string
		m      *mat.Dense
		labels []string
	}{{"row_factors.tsv", rows, m.RowLabels}, {"col_factors.tsv", cols, m.ColLabels}} {
		path := filepath.Join(*out, f.name)
		if err := os.WriteFile(path, factorTSV(f.m, f.labels), 0o644); err != nil {
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
