package main

import (
	"fmt"
	"io"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/model"
)

// embeddedInput stands for the onlineretail data set embedded in the
// binary, which fit uses when no -in is given.
const embeddedInput = "embedded:onlineretail"

// dataParts are the counts of a fit: all of -in, the training part and,
// with -holdout or -valid/-test, the held-out parts with their held-out
// sets (non-zeros plus sampled zero cells).
type dataParts struct {
	all, train, valid, test *model.Counts
	validHeld, testHeld     *model.HeldOut
}

// loadData reads -in and splits it as -holdout asks (F of each row's
// non-zeros to test and F to validation), or reads the split from -valid
// and -test, with -in as the training set.
func loadData(o fitOptions) (*dataParts, error) {
	var x *model.Counts
	var err error
	if o.in == embeddedInput {
		x, err = poisfact.Dataset("onlineretail")
	} else {
		x, err = readFitCounts(o.in)
	}
	if err != nil {
		return nil, err
	}
	d := &dataParts{all: x, train: x}
	switch {
	case o.holdout > 0:
		split, err := model.NewSplit(x, o.holdout, o.holdout, o.splitSeed)
		if err != nil {
			return nil, err
		}
		d.train, d.valid, d.test = split.Train, split.Valid, split.Test
	case o.test != "" || o.valid != "":
		// The parts are read one by one, so that a fit given -valid alone
		// is the fit given -valid and -test: the test part reaches
		// nothing before the fit ends.
		d.valid, d.test = emptyLike(x), emptyLike(x)
		if o.valid != "" {
			if d.valid, err = readPart(o.valid, x); err != nil {
				return nil, err
			}
		}
		if o.test != "" {
			if d.test, err = readPart(o.test, x); err != nil {
				return nil, err
			}
		}
		if o.mask {
			if u, i, ok := d.valid.FirstShared(d.train); ok {
				return nil, usagef("%s: cell (%d, %d) also holds a count in the training file %s; -mask leaves the validation cells out of the likelihood, so the two must not share a cell", o.valid, u+1, i+1, o.in)
			}
		}
	default:
		return d, nil
	}
	return d, d.heldOutSets(o.splitSeed, o.test != "" || o.holdout > 0)
}

// heldOutSets draws the zero cells of the validation and test sets as
// model.Split.HeldOutSets does for every caller, from the split's seed:
// the validation cells among those zero in training and validation, the
// test cells among those zero in all three parts. wantTest says a test
// part was asked for, so an empty one is an error.
func (d *dataParts) heldOutSets(splitSeed uint64, wantTest bool) error {
	var err error
	d.validHeld, d.testHeld, err = (&model.Split{Train: d.train, Valid: d.valid, Test: d.test}).HeldOutSets(splitSeed)
	if err == nil && wantTest && d.testHeld == nil {
		err = usagef("the test set has no non-zeros")
	}
	return err
}

// readPart reads a held-out part, which must have the shape of x; it
// takes x's labels. A part with labels of its own (a triplet file, say)
// is matched to x's rows and columns by label.
func readPart(path string, x *model.Counts) (*model.Counts, error) {
	c, err := readCounts(path)
	if err != nil {
		return nil, err
	}
	if c.RowLabels() != nil && x.RowLabels() != nil && c.ColLabels() != nil && x.ColLabels() != nil {
		if c, err = remapByLabels(path, c, x); err != nil {
			return nil, err
		}
	}
	if c.Rows() != x.Rows() || c.Cols() != x.Cols() {
		return nil, usagef("%s is %d × %d; the training counts are %d × %d (a split given as files must keep the shape)", path, c.Rows(), c.Cols(), x.Rows(), x.Cols())
	}
	return c.WithLabels(x.RowLabels(), x.ColLabels())
}

// emptyLike returns a matrix of x's shape with no entries.
func emptyLike(x *model.Counts) *model.Counts {
	c, _ := model.NewCounts(x.Rows(), x.Cols(), nil, nil, nil)
	return c
}

// remapByLabels re-indexes c's entries to x's rows and columns by label.
func remapByLabels(path string, c, x *model.Counts) (*model.Counts, error) {
	// A label that names two rows or columns of x cannot place an entry:
	// such a label is marked -1 and refused if an entry needs it.
	index := func(labels []string) map[string]int {
		m := make(map[string]int, len(labels))
		for j, l := range labels {
			if _, dup := m[l]; dup {
				m[l] = -1
				continue
			}
			m[l] = j
		}
		return m
	}
	rowOf, colOf := index(x.RowLabels()), index(x.ColLabels())
	var ri, ci []int
	var vals []float64
	for u := 0; u < c.Rows(); u++ {
		cols, v := c.Row(u)
		r, ok := rowOf[c.RowLabel(u)]
		if !ok && len(cols) > 0 {
			return nil, usagef("%s: row %q is not a row of the training counts", path, c.RowLabel(u))
		}
		if r < 0 && len(cols) > 0 {
			return nil, usagef("%s: row %q names several rows of the training counts: give the parts as Matrix Market files of the same shape", path, c.RowLabel(u))
		}
		for e, i := range cols {
			col, ok := colOf[c.ColLabel(int(i))]
			if !ok {
				return nil, usagef("%s: column %q is not a column of the training counts", path, c.ColLabel(int(i)))
			}
			if col < 0 {
				return nil, usagef("%s: column %q names several columns of the training counts: give the parts as Matrix Market files of the same shape", path, c.ColLabel(int(i)))
			}
			ri, ci, vals = append(ri, r), append(ci, col), append(vals, v[e])
		}
	}
	return model.NewCounts(x.Rows(), x.Cols(), ri, ci, vals)
}

// warnSameData says so on stderr when a held-out part is the training
// data itself (fit -in P -test P): its figures would be training figures.
func warnSameData(stderr io.Writer, cmd string, d *dataParts) {
	for _, part := range []struct {
		what string
		x    *model.Counts
	}{{"validation", d.valid}, {"test", d.test}} {
		if part.x != nil && part.x.NNZ() > 0 && part.x.Equal(d.train) {
			fmt.Fprintf(stderr, "poisfact %s: warning: the %s counts are the training counts: their figures measure the fit, not held-out prediction\n", cmd, part.what)
		}
	}
}
