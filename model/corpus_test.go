package model

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

// TestBadCorpus reads every file of testdata/bad/ and checks its error:
// the sentinel it wraps, the text it must hold (the line where the file
// has one), and that it is one short line that names the file. Every
// file there must have a row here, so a case cannot be added untested.
func TestBadCorpus(t *testing.T) {
	cases := []struct {
		file string
		kind error
		want string
	}{
		{"mm_empty.mtx", ErrFormat, "empty file"},
		{"mm_no_header.mtx", ErrFormat, "line 1: model: malformed input: not a Matrix Market header"},
		{"mm_array.mtx", ErrFormat, `line 1: model: malformed input: unsupported Matrix Market format "array"`},
		{"mm_complex.mtx", ErrFormat, `unsupported Matrix Market field "complex"`},
		{"mm_symmetric.mtx", ErrFormat, `unsupported Matrix Market symmetry "symmetric"`},
		{"mm_hermitian.mtx", ErrFormat, `symmetry "hermitian"`},
		{"mm_no_size.mtx", ErrFormat, "line 2: model: malformed input: end of file before the size line"},
		{"mm_bad_size.mtx", ErrFormat, `line 2: model: malformed input: size line "2 2"`},
		{"mm_size_text.mtx", ErrFormat, `line 2: model: malformed input: size line "two 2 1"`},
		{"mm_zero_rows.mtx", ErrShape, "line 2: model: invalid shape: 0 × 2 matrix is empty"},
		{"mm_dims_beyond_int32.mtx", ErrShape, "line 2: model: invalid shape: 99999999999 × 2 exceeds"},
		{"mm_too_many_for_shape.mtx", ErrShape, "line 2: model: invalid shape: 5 entries do not fit a 2 × 2 matrix"},
		{"mm_huge_shape.mtx", ErrShape, "line 2: model: invalid shape: 2147483647 × 2147483647 declared for 1 non-zeros: its row and column arrays alone would take 128.0 GB"},
		{"mm_3e7_shape.mtx", ErrShape, "line 2: model: invalid shape: 30000000 × 30000000 declared for 1 non-zeros"},
		{"mm_negative.mtx", ErrBadCount, "line 3: model: invalid count: negative count -3"},
		{"mm_fractional.mtx", ErrBadCount, "line 3: model: invalid count: fractional count 2.5"},
		{"mm_nan.mtx", ErrBadCount, "line 3: model: invalid count: NaN"},
		{"mm_inf.mtx", ErrBadCount, "line 3: model: invalid count: +Inf"},
		{"mm_out_of_range.mtx", ErrBadCount, `line 3: model: invalid count: "1e400" is out of range`},
		{"mm_not_number.mtx", ErrBadCount, `line 3: model: invalid count: "x" is not a number`},
		{"mm_2p53_plus_1.mtx", ErrBadCount, `line 3: model: invalid count: count "9007199254740993" is not below 2^53`},
		{"mm_2p53_plus_1_float.mtx", ErrBadCount, "line 3: model: invalid count: count 9.007199254740992e+15 is not below 2^53"},
		{"mm_total_beyond_2p53.mtx", ErrBadCount, "line 4: model: invalid count: the total of the counts reaches 2^53"},
		{"mm_row_index_zero.mtx", ErrIndexRange, "line 3: model: index out of range: row index 0 out of range [1,2]"},
		{"mm_column_beyond_size.mtx", ErrIndexRange, "line 5: model: index out of range: column index 4 out of range [1,3]"},
		{"mm_negative_index.mtx", ErrFormat, `line 3: model: malformed input: row index "-1" is not a positive integer`},
		{"mm_index_text.mtx", ErrFormat, `line 3: model: malformed input: row index "a" is not a positive integer`},
		{"mm_fewer_entries.mtx", ErrFormat, "line 4: model: malformed input: the size line declares 3 entries, the file has 2"},
		{"mm_more_entries.mtx", ErrFormat, "line 4: model: malformed input: more entries than the 1 the size line declares"},
		{"mm_missing_value.mtx", ErrFormat, "line 3: model: malformed input: want 3 fields, found 2"},
		{"mm_extra_field.mtx", ErrFormat, "line 3: model: malformed input: want 3 fields, found 4"},
		{"mm_pattern_with_value.mtx", ErrFormat, "line 3: model: malformed input: want 2 fields, found 3"},
		{"mm_long_field.mtx", ErrBadCount, "… (200001 bytes) is not a number"},
		{"mm_truncated.mtx.gz", ErrFormat, "line 3: model: malformed input: gzip stream truncated"},
		{"mm_not_gzip.mtx.gz", ErrFormat, "mm_not_gzip.mtx.gz: model: malformed input: not gzip data"},
		{"tsv_two_fields.tsv", ErrFormat, "line 1: model: malformed input: want 3 fields (row, col, count), found 2"},
		{"tsv_four_fields.csv", ErrFormat, "line 2: model: malformed input: want 3 fields (row, col, count), found 4"},
		{"tsv_negative.tsv", ErrBadCount, "line 2: model: invalid count: negative count -1"},
		{"tsv_fractional.txt", ErrBadCount, "line 2: model: invalid count: fractional count 3.5"},
		{"tsv_nan.tsv", ErrBadCount, "line 1: model: invalid count: NaN"},
		{"tsv_first_line_out_of_range.tsv", ErrBadCount, `line 1: model: invalid count: "1e400" is out of range`},
		{"tsv_empty_id.tsv", ErrFormat, "line 1: model: malformed input: empty row or column ID"},
		{"tsv_header_only.tsv", ErrShape, "model: invalid shape: no entries"},
		{"tsv_empty.tsv", ErrShape, "model: invalid shape: no entries"},
		{"tsv_not_number_after_header.tsv", ErrBadCount, `line 3: model: invalid count: "many" is not a number`},
		{"tsv_2p53_plus_1.tsv", ErrBadCount, `line 1: model: invalid count: count "9007199254740993" is not below 2^53`},
		{"tsv_total_beyond_2p53.tsv", ErrBadCount, "line 2: model: invalid count: the total of the counts reaches 2^53"},
		{"tsv_shape_zero.tsv", ErrShape, `line 1: model: invalid shape: "# shape 0 5" is not "# shape ROWS COLS"`},
		{"tsv_shape_index_beyond.tsv", ErrIndexRange, "line 2: model: index out of range: column index 3 out of range [1,2]"},
		{"tsv_shape_label_id.tsv", ErrFormat, `line 2: model: malformed input: row ID "alice" is not an index`},
		{"tsv_shape_huge.tsv", ErrShape, "line 1: model: invalid shape: 2147483647 × 2147483647 declared for 1 non-zeros"},
		{"bin_truncated.pfb", ErrFormat, "the header declares 136 bytes, the file holds 131"},
		{"bin_header_only.pfb", ErrFormat, "binary counts: header: unexpected EOF (truncated file)"},
		{"bin_wrong_magic.pfb", ErrFormat, `not a poisfact binary file (no "POISFACT" signature)`},
		{"bin_wrong_version.pfb", ErrFormat, "binary counts of format version 7; this version of poisfact reads versions 1 and 2"},
		{"bin_corrupt_body.pfb", ErrFormat, "the body's checksum does not match"},
		{"bin_forged_shape.pfb", ErrFormat, "the header declares 17179869288 bytes, the file holds 136"},
		{"bin_index_out_of_range.pfb", ErrIndexRange, "row 1: column index 6 out of range [1,2]"},
		{"bin_gzipped.pfb.gz", ErrFormat, "the binary format is read as it is, not gzipped"},
		{"labels_short_rows", ErrShape, "labels_short_rows/rows.txt has 1 labels for 2 rows"},
		{"labels_long_cols", ErrShape, "labels_long_cols/cols.txt has 3 labels for 2 columns"},
		{"labels_empty_rows", ErrShape, "labels_empty_rows/rows.txt has 0 labels for 2 rows"},
		{"model_negative_rate", ErrCorrupt, "theta_rate.tsv line 1 field 1: -1.5, want a value > 0"},
		{"model_zero_shape", ErrCorrupt, "beta_shape.tsv line 1 field 1: 0, want a value > 0"},
		{"model_nan_value", ErrCorrupt, `xi_rate.tsv line 1 field 1: "NaN" is not a finite number`},
		{"model_negative_factor", ErrCorrupt, "w.tsv line 1 field 1: -0.25, want a value ≥ 0"},
		{"model_altered_no_resum", ErrCorrupt, "theta_shape.tsv does not match its SHA-256"},
		{"model_missing_file", ErrCorrupt, "SHA256SUMS lists beta_rate.tsv, which is missing"},
		{"model_rows_forged", ErrCorrupt, "theta_shape.tsv has 3 lines for 2147483647 rows"},
		{"model_k_forged", ErrCorrupt, "theta_shape.tsv holds 114 bytes, too few for 3 × 1000000000 numbers"},
		{"model_bad_version", nil, "format version 99; this version of poisfact reads version 1"},
		{"model_bad_hyper", ErrCorrupt, "hyperparameter a = -0.3"},
		{"model_short_row", ErrCorrupt, "theta_shape.tsv has 2 lines for 3 rows"},
		{"model_bad_train", ErrCorrupt, "train.mtx.gz: line 1: model: malformed input: gzip stream truncated"},
	}
	dir := testutil.Testdata("bad")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tc := range cases {
		listed[tc.file] = true
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("testdata/bad/%s has no row in the table", e.Name())
		}
	}
	if len(cases) < 40 {
		t.Errorf("%d cases; the corpus must hold at least 40", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			var err error
			switch {
			case strings.HasPrefix(tc.file, "model_"):
				_, err = LoadModel(path)
			case strings.HasPrefix(tc.file, "labels_"):
				_, err = ReadFile(filepath.Join(path, "matrix.mtx"))
			default:
				_, err = ReadFile(path)
			}
			if err == nil {
				t.Fatal("read without error")
			}
			msg := err.Error()
			if tc.kind != nil && !errors.Is(err, tc.kind) || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q\nwant %v containing %q", msg, tc.kind, tc.want)
			}
			if !strings.Contains(msg, tc.file) {
				t.Errorf("error %q does not name the file", msg)
			}
			if strings.Contains(msg, "\n") || len(msg) > 400 {
				t.Errorf("error is %d bytes or spans lines: %q", len(msg), msg)
			}
		})
	}
}

// TestOKCorpus reads the odd but valid files of testdata/ok/ (CRLF, BOM,
// comments and blank lines, duplicates, explicit zeros, pattern, whole
// reals, gzip without a suffix, trailing tabs, a "# shape" comment) and
// checks each against its matrix, written out by hand.
func TestOKCorpus(t *testing.T) {
	// The Matrix Market files hold x[1,1] = 4 and x[3,2] = 1 (1-based) in a
	// 3 × 2 matrix (5 × 4 for the two with empty rows and columns); the
	// triplet files hold alice·x = 4 and carol·y = 1.
	mm := map[[2]int]float64{{0, 0}: 4, {2, 1}: 1}
	cases := []struct {
		file  string
		rows  int
		cols  int
		cells map[[2]int]float64
	}{
		{"crlf.mtx", 3, 2, mm},
		{"bom.mtx", 3, 2, mm},
		{"comments_blank_lines.mtx", 3, 2, mm},
		{"duplicates_summed.mtx", 3, 2, mm},
		{"explicit_zeros.mtx", 3, 2, mm},
		{"pattern.mtx", 3, 2, map[[2]int]float64{{0, 0}: 1, {2, 1}: 1}},
		{"real_whole_values.mtx", 3, 2, mm},
		{"unsorted.mtx", 3, 2, mm},
		{"uppercase_banner.mtx", 3, 2, mm},
		{"gzip_without_suffix.mtx", 3, 2, mm},
		{"gzip.mtx.gz", 3, 2, mm},
		{"empty_rows_and_columns.mtx", 5, 4, mm},
		{"shape_comment.tsv", 5, 4, mm},
		{"bom.tsv", 2, 2, map[[2]int]float64{{0, 0}: 4, {1, 1}: 1}},
		{"crlf.csv", 2, 2, map[[2]int]float64{{0, 0}: 4, {1, 1}: 1}},
		{"trailing_tab.tsv", 2, 2, map[[2]int]float64{{0, 0}: 4, {1, 1}: 1}},
		{"header_and_comments.tsv", 2, 2, map[[2]int]float64{{0, 0}: 4, {1, 1}: 1}},
		{"spaces.txt", 2, 2, map[[2]int]float64{{0, 0}: 4, {1, 1}: 1}},
		{"zero_count.tsv", 3, 2, map[[2]int]float64{{0, 0}: 4, {2, 1}: 1}},
		{"tenx", 3, 2, mm}, // 2 genes × 3 cells on disk, read as cells × genes
	}
	dir := testutil.Testdata("ok")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(cases) {
		t.Errorf("testdata/ok holds %d files, the table %d", len(entries), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c, err := ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, c)
			if c.Rows() != tc.rows || c.Cols() != tc.cols || c.NNZ() != len(tc.cells) {
				t.Fatalf("%d × %d with %d non-zeros, want %d × %d with %d", c.Rows(), c.Cols(), c.NNZ(), tc.rows, tc.cols, len(tc.cells))
			}
			var total float64
			for cell, v := range tc.cells {
				if got := c.At(cell[0], cell[1]); got != v {
					t.Errorf("x%v = %v, want %v", cell, got, v)
				}
				total += v
			}
			if c.Total() != total {
				t.Errorf("total %v, want %v", c.Total(), total)
			}
			if tc.file == "tenx" && (c.RowLabel(2) != "AAAT-1" || c.ColLabel(1) != "ENSG02\tMS4A1\tGene Expression") {
				t.Errorf("10x labels: row 3 %q, column 2 %q", c.RowLabel(2), c.ColLabel(1))
			}
			if strings.HasPrefix(tc.file, "bom") && c.RowLabels() != nil && strings.HasPrefix(c.RowLabel(0), "\ufeff") {
				t.Errorf("the byte-order mark stayed in the first label %q", c.RowLabel(0))
			}
		})
	}
}
