package model

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// SavedVersion is the version of the saved-model format this package
// writes and reads.
const SavedVersion = 1

// Kinds of saved model.
const (
	KindHPF = "hpf" // an HPF posterior
	KindNMF = "nmf" // factors W, H of a maximum likelihood or MAP fit
)

// ErrCorrupt is wrapped by the errors of LoadModel for a saved model whose
// files are missing, truncated or altered.
var ErrCorrupt = errors.New("model: saved model is corrupt")

// Saved is a fitted model as it is saved: an HPF posterior or KL-NMF
// factors, with the labels of the data and the settings of the fit.
type Saved struct {
	// Kind is KindHPF or KindNMF.
	Kind string
	// Posterior is the HPF posterior (Kind hpf).
	Posterior *Posterior
	// W (n × K) and H (p × K) are the factors (Kind nmf).
	W, H *mat.Dense
	// RowLabels and ColLabels are the data's labels, nil for none.
	RowLabels, ColLabels []string
	// Fit records how the model was fitted (nil when unknown).
	Fit *FitRecord
	// Train, when set, holds the training counts, so that recommendations
	// and evaluations can exclude what each row has already seen.
	Train *Counts
	// Valid and Test, when set, hold the held-out parts of the fit's
	// split, so that the model can be scored on its own split alone
	// (with Fit.SplitSeed for the zero cells).
	Valid, Test *Counts
}

// Dims returns the rows, columns and factors of the model.
func (s *Saved) Dims() (n, p, k int) {
	if s.Kind == KindHPF {
		n, p := s.Posterior.Dims()
		return n, p, s.Posterior.K()
	}
	n, k = s.W.Dims()
	p, _ = s.H.Dims()
	return n, p, k
}

// manifest is manifest.json of a saved model.
type manifest struct {
	Format   string     `json:"format"`
	Version  int        `json:"version"`
	Kind     string     `json:"kind"`
	Rows     int        `json:"rows"`
	Cols     int        `json:"cols"`
	K        int        `json:"k"`
	Hyper    *HPF       `json:"hyper,omitempty"`
	Settings *FitRecord `json:"settings,omitempty"`
	Files    []string   `json:"files"`
}

const (
	manifestName = "manifest.json"
	formatName   = "poisfact-model"
)

// SaveModel writes m to the directory dir in the documented, portable
// format (version SavedVersion):
//
//	manifest.json      format, version, kind, rows, cols, k, hyperparameters, settings, file list
//	theta_shape.tsv    γˢ (n × K), theta_rate.tsv γʳ, beta_shape.tsv λˢ (p × K), beta_rate.tsv λʳ,
//	xi_shape.tsv …     κˢ, κʳ (n), eta_shape.tsv, eta_rate.tsv τˢ, τʳ (p)   (kind hpf; no ξ, η files
//	                   in the non-hierarchical model)
//	w.tsv, h.tsv       W (n × K), H (p × K)                                 (kind nmf)
//	rows.txt, cols.txt labels, one per line, when the data had them
//	train.mtx.gz       the training counts, when given (Matrix Market, gzip)
//	valid.mtx.gz …     the validation and test counts of the fit's split, when given
//	SHA256SUMS         the SHA-256 of every other file, in sha256sum's format
//
// Matrices are tab-separated text, one matrix row per line; every number
// is written with the fewest digits that read back to the same float64, so
// loading gives a bit-identical model. R (read.table), Python
// (numpy.loadtxt) and `sha256sum -c SHA256SUMS` read them as they are.
//
// The files are written to a temporary directory beside dir, synced, and
// renamed to dir: a crash never leaves a partial model under dir. An
// existing dir is replaced only if it holds a saved model.
func SaveModel(dir string, m *Saved) error {
	files, man, err := m.encode()
	if err != nil {
		return err
	}
	man.Files = append(man.Files, manifestName)
	body, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	files[manifestName] = append(body, '\n')
	return writeChecksummed(dir, man.Files, files)
}

// encode renders the model's files and its manifest (without
// manifest.json itself in the file list).
func (m *Saved) encode() (map[string][]byte, *manifest, error) {
	man := &manifest{Format: formatName, Version: SavedVersion, Kind: m.Kind, Settings: m.Fit}
	files := map[string][]byte{}
	add := func(name string, data []byte) {
		files[name] = data
		man.Files = append(man.Files, name)
	}
	switch m.Kind {
	case KindHPF:
		q := m.Posterior
		if q == nil {
			return nil, nil, fmt.Errorf("model: saving an hpf model without a posterior")
		}
		man.Rows, man.Cols = q.Dims()
		man.K = q.K()
		h := q.Hyper
		man.Hyper = &h
	case KindNMF:
		if m.W == nil || m.H == nil {
			return nil, nil, fmt.Errorf("model: saving an nmf model without W and H")
		}
		man.Rows, man.K = m.W.Dims()
		man.Cols, _ = m.H.Dims()
	default:
		return nil, nil, fmt.Errorf("model: unknown model kind %q", m.Kind)
	}
	for _, f := range m.paramFiles() {
		if f.mat != nil {
			add(f.name, matrixTSV(*f.mat(m)))
		} else {
			add(f.name, vectorTSV(*f.vec(m)))
		}
	}
	for _, l := range []struct {
		name   string
		labels []string
		want   int
	}{{"rows.txt", m.RowLabels, man.Rows}, {"cols.txt", m.ColLabels, man.Cols}} {
		if l.labels == nil {
			continue
		}
		if len(l.labels) != l.want {
			return nil, nil, fmt.Errorf("%w: %d labels in %s for %d", ErrShape, len(l.labels), l.name, l.want)
		}
		var b bytes.Buffer
		if err := WriteLabels(&b, l.labels); err != nil {
			return nil, nil, err
		}
		add(l.name, b.Bytes())
	}
	for _, part := range m.parts() {
		x := *part.x
		if x == nil {
			continue
		}
		if x.Rows() != man.Rows || x.Cols() != man.Cols {
			return nil, nil, fmt.Errorf("%w: %s counts are %d × %d, the model %d × %d", ErrShape, part.what, x.Rows(), x.Cols(), man.Rows, man.Cols)
		}
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if err := WriteMatrixMarket(zw, x); err != nil {
			return nil, nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, nil, fmt.Errorf("model: %w", err)
		}
		add(part.name, b.Bytes())
	}
	return files, man, nil
}

// paramFile is one parameter file of a saved model, in the one table that
// SaveModel and LoadModel both read: its name, whether its lines are the
// columns (else the rows) of the counts, and where it lives in a Saved,
// as a matrix of K columns or a vector.
type paramFile struct {
	name string
	cols bool
	mat  func(*Saved) **mat.Dense
	vec  func(*Saved) *[]float64
}

// paramFiles lists the parameter files of s's kind, in file order: the
// HPF shapes and rates (the activities' only in the hierarchical model),
// or W and H.
func (s *Saved) paramFiles() []paramFile {
	if s.Kind == KindNMF {
		return []paramFile{
			{name: "w.tsv", mat: func(s *Saved) **mat.Dense { return &s.W }},
			{name: "h.tsv", cols: true, mat: func(s *Saved) **mat.Dense { return &s.H }},
		}
	}
	files := []paramFile{
		{name: "theta_shape.tsv", mat: func(s *Saved) **mat.Dense { return &s.Posterior.ThetaShape }},
		{name: "theta_rate.tsv", mat: func(s *Saved) **mat.Dense { return &s.Posterior.ThetaRate }},
		{name: "beta_shape.tsv", cols: true, mat: func(s *Saved) **mat.Dense { return &s.Posterior.BetaShape }},
		{name: "beta_rate.tsv", cols: true, mat: func(s *Saved) **mat.Dense { return &s.Posterior.BetaRate }},
	}
	if s.Posterior.Hyper.NonHierarchical {
		return files
	}
	return append(files,
		paramFile{name: "xi_shape.tsv", vec: func(s *Saved) *[]float64 { return &s.Posterior.XiShape }},
		paramFile{name: "xi_rate.tsv", vec: func(s *Saved) *[]float64 { return &s.Posterior.XiRate }},
		paramFile{name: "eta_shape.tsv", cols: true, vec: func(s *Saved) *[]float64 { return &s.Posterior.EtaShape }},
		paramFile{name: "eta_rate.tsv", cols: true, vec: func(s *Saved) *[]float64 { return &s.Posterior.EtaRate }},
	)
}

// savedPart is one of the count matrices saved with a model.
type savedPart struct {
	name, what string
	x          **Counts
}

// parts lists the count matrices saved with a model, in file order.
func (m *Saved) parts() []savedPart {
	return []savedPart{{"train.mtx.gz", "training", &m.Train}, {"valid.mtx.gz", "validation", &m.Valid}, {"test.mtx.gz", "test", &m.Test}}
}

func matrixTSV(m *mat.Dense) []byte {
	r, c := m.Dims()
	var b []byte
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if j > 0 {
				b = append(b, '\t')
			}
			b = strconv.AppendFloat(b, m.At(i, j), 'g', -1, 64)
		}
		b = append(b, '\n')
	}
	return b
}

func vectorTSV(v []float64) []byte {
	var b []byte
	for _, x := range v {
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
		b = append(b, '\n')
	}
	return b
}

// LoadModel reads a model saved by SaveModel. Every file is checked
// against SHA256SUMS first, so a truncated, altered or missing file is an
// error wrapping ErrCorrupt; a model of another format version is refused.
func LoadModel(dir string) (*Saved, error) {
	s, err := loadModel(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return s, nil
}

func loadModel(dir string) (*Saved, error) {
	files, err := readVerified(dir)
	if err != nil {
		return nil, err
	}
	return decodeModel(files)
}

// decodeModel builds a model from its verified files, checking every
// value: the checksums say a file is what was written, not that what was
// written is a model.
func decodeModel(files map[string][]byte) (*Saved, error) {
	var err error
	var man manifest
	if err = json.Unmarshal(files[manifestName], &man); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, manifestName, err)
	}
	if man.Format != formatName {
		return nil, fmt.Errorf("%w: not a poisfact model (format %s)", ErrCorrupt, quote([]byte(man.Format)))
	}
	if man.Version != SavedVersion {
		return nil, fmt.Errorf("model: format version %d; this version of poisfact reads version %d", man.Version, SavedVersion)
	}
	if man.Rows <= 0 || man.Cols <= 0 || man.K <= 0 {
		return nil, fmt.Errorf("%w: %s: shape %d × %d, K = %d", ErrCorrupt, manifestName, man.Rows, man.Cols, man.K)
	}
	get := func(name string) ([]byte, error) {
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s lists no file %s", ErrCorrupt, sumsName, name)
		}
		return data, nil
	}
	// Gamma shapes and rates are positive; NMF factors are non-negative.
	positive := man.Kind == KindHPF
	matrix := func(name string, rows int) (*mat.Dense, error) {
		data, err := get(name)
		if err != nil {
			return nil, err
		}
		return parseMatrixTSV(name, data, rows, man.K, positive)
	}
	vector := func(name string, rows int) ([]float64, error) {
		data, err := get(name)
		if err != nil {
			return nil, err
		}
		m, err := parseMatrixTSV(name, data, rows, 1, positive)
		if err != nil {
			return nil, err
		}
		return m.RawMatrix().Data, nil
	}
	s := &Saved{Kind: man.Kind, Fit: man.Settings}
	switch man.Kind {
	case KindHPF:
		if man.Hyper == nil {
			return nil, fmt.Errorf("%w: %s: hpf model without hyperparameters", ErrCorrupt, manifestName)
		}
		if err := man.Hyper.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, manifestName, err)
		}
		s.Posterior = &Posterior{Hyper: man.Hyper.WithDefaults()}
	case KindNMF:
	default:
		return nil, fmt.Errorf("%w: unknown model kind %s", ErrCorrupt, quote([]byte(man.Kind)))
	}
	for _, f := range s.paramFiles() {
		rows := man.Rows
		if f.cols {
			rows = man.Cols
		}
		if f.mat != nil {
			if *f.mat(s), err = matrix(f.name, rows); err != nil {
				return nil, err
			}
		} else if *f.vec(s), err = vector(f.name, rows); err != nil {
			return nil, err
		}
	}
	for _, l := range []struct {
		dst  *[]string
		name string
		want int
	}{{&s.RowLabels, "rows.txt", man.Rows}, {&s.ColLabels, "cols.txt", man.Cols}} {
		data, ok := files[l.name]
		if !ok {
			continue
		}
		labels, err := ReadLabels(bytes.NewReader(data))
		if err != nil || len(labels) != l.want {
			return nil, fmt.Errorf("%w: %s holds %d labels for %d", ErrCorrupt, l.name, len(labels), l.want)
		}
		*l.dst = labels
	}
	for _, part := range s.parts() {
		data, ok := files[part.name]
		if !ok {
			continue
		}
		x, err := ReadMatrixMarket(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, part.name, err)
		}
		if x.Rows() != man.Rows || x.Cols() != man.Cols {
			return nil, fmt.Errorf("%w: %s is %d × %d, the model %d × %d", ErrCorrupt, part.name, x.Rows(), x.Cols(), man.Rows, man.Cols)
		}
		*part.x, _ = x.WithLabels(s.RowLabels, s.ColLabels)
	}
	return s, nil
}

// parseMatrixTSV parses a rows × cols tab-separated matrix.
func parseMatrixTSV(name string, data []byte, rows, cols int, positive bool) (*mat.Dense, error) {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// Count before allocating: the manifest's shape is checked against the
	// file, so a forged manifest cannot ask for gigabytes.
	if len(lines) != rows {
		return nil, fmt.Errorf("%w: %s has %d lines for %d rows", ErrCorrupt, name, len(lines), rows)
	}
	if 2*int64(rows)*int64(cols) > int64(len(data))+1 { // a digit and a separator per number
		return nil, fmt.Errorf("%w: %s holds %d bytes, too few for %d × %d numbers", ErrCorrupt, name, len(data), rows, cols)
	}
	m := mat.NewDense(rows, cols, nil)
	for i, l := range lines {
		fields := strings.Split(l, "\t")
		if len(fields) != cols {
			return nil, fmt.Errorf("%w: %s line %d has %d fields for %d", ErrCorrupt, name, i+1, len(fields), cols)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: %s line %d field %d: %s is not a finite number", ErrCorrupt, name, i+1, j+1, quote([]byte(f)))
			}
			if v < 0 || positive && v == 0 {
				want := "≥ 0"
				if positive {
					want = "> 0"
				}
				return nil, fmt.Errorf("%w: %s line %d field %d: %v, want a value %s", ErrCorrupt, name, i+1, j+1, v, want)
			}
			m.Set(i, j, v)
		}
	}
	return m, nil
}

// Rates returns the model's rates: the HPF point estimate E[θ] E[β]ᵀ (as
// Factors, whose row rates reuse E[β]) or W Hᵀ.
func (s *Saved) Rates() Rates {
	if s.Kind == KindHPF {
		return s.Posterior.PointEstimate()
	}
	return Factors{W: s.W, H: s.H}
}
