package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/poisfact/poisfact/model"
)

// matrixInfo is what "poisfact info" reports.
type matrixInfo struct {
	File        string        `json:"file"`
	Rows        int           `json:"rows"`
	Cols        int           `json:"cols"`
	NNZ         int           `json:"nnz"`
	Total       float64       `json:"total"`
	Density     float64       `json:"density"`
	MaxCount    float64       `json:"max_count"`
	MeanNonzero float64       `json:"mean_nonzero"`
	RowNNZ      spreadSummary `json:"row_nnz"`
	ColNNZ      spreadSummary `json:"col_nnz"`
	RowLabels   bool          `json:"row_labels"`
	ColLabels   bool          `json:"col_labels"`
}

// spreadSummary describes how non-zeros spread over rows or columns.
type spreadSummary struct {
	Empty  int     `json:"empty"`
	Min    int     `json:"min"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Max    int     `json:"max"`
}

func summarize(counts []int) spreadSummary {
	s := slices.Clone(counts)
	slices.Sort(s)
	var sum, empty int
	for _, v := range s {
		sum += v
		if v == 0 {
			empty++
		}
	}
	m := len(s)
	med := float64(s[m/2])
	if m%2 == 0 {
		med = (float64(s[m/2-1]) + float64(s[m/2])) / 2
	}
	return spreadSummary{Empty: empty, Min: s[0], Median: med, Mean: float64(sum) / float64(m), Max: s[m-1]}
}

func describe(path string, c *model.Counts) matrixInfo {
	n, p := c.Dims()
	rowNNZ := make([]int, n)
	for u := range rowNNZ {
		rowNNZ[u] = c.RowNNZ(u)
	}
	colNNZ := make([]int, p)
	for i := range colNNZ {
		colNNZ[i] = c.ColNNZ(i)
	}
	_, _, val := c.CSR()
	info := matrixInfo{
		File: path, Rows: n, Cols: p, NNZ: c.NNZ(), Total: c.Total(), Density: c.Density(),
		RowNNZ: summarize(rowNNZ), ColNNZ: summarize(colNNZ),
		RowLabels: c.RowLabels() != nil, ColLabels: c.ColLabels() != nil,
	}
	if len(val) > 0 {
		info.MaxCount = slices.Max(val)
		info.MeanNonzero = c.Total() / float64(len(val))
	}
	return info
}

func runInfo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("info", "FILE [-json]", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	if len(pos) != 1 {
		return fail(stderr, "info", usagef("want one FILE (Matrix Market or triplets), got %d arguments", len(pos)))
	}
	c, err := readCounts(pos[0])
	if err != nil {
		return fail(stderr, "info", err)
	}
	info := describe(pos[0], c)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(info)
		return 0
	}
	fmt.Fprintf(stdout, "file        %s\n", info.File)
	fmt.Fprintf(stdout, "shape       %d rows × %d columns\n", info.Rows, info.Cols)
	fmt.Fprintf(stdout, "non-zeros   %d (density %.6f, sparsity %.4f%%)\n", info.NNZ, info.Density, 100*(1-info.Density))
	fmt.Fprintf(stdout, "total       %.0f (mean non-zero %.4f, max %.0f)\n", info.Total, info.MeanNonzero, info.MaxCount)
	for _, s := range []struct {
		name string
		s    spreadSummary
	}{{"per row", info.RowNNZ}, {"per column", info.ColNNZ}} {
		fmt.Fprintf(stdout, "%-11s non-zeros min %d, median %g, mean %.2f, max %d; empty %d\n", s.name, s.s.Min, s.s.Median, s.s.Mean, s.s.Max, s.s.Empty)
	}
	fmt.Fprintf(stdout, "labels      rows %v, columns %v\n", info.RowLabels, info.ColLabels)
	return 0
}

// readCounts reads a matrix file; a missing, unreadable or malformed file
// is a usage error (the user names the file and fixes it).
func readCounts(path string) (*model.Counts, error) {
	c, err := model.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// readFitCounts reads a matrix to fit; one without non-zeros is refused
// here, as the user's to fix.
func readFitCounts(path string) (*model.Counts, error) {
	c, err := readCounts(path)
	if err != nil {
		return nil, err
	}
	if c.NNZ() == 0 {
		return nil, usagef("%s has no non-zeros: there is nothing to fit", path)
	}
	return c, nil
}
