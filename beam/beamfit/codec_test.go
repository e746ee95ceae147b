package beamfit

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

func TestCodecRoundTrip(t *testing.T) {
	values := []any{
		&inference.Columns{Rows: 7, K: 2, Hyper: model.HPF{A: 0.3, NonHierarchical: true}, Init: inference.Init{Method: inference.InitUniform, Jitter: 0.5},
			Seed: math.MaxUint64, Params: inference.SideParams{Shape: []float64{1, 2}, Rate: []float64{3, math.Inf(1)}}, SumBeta: []float64{math.Copysign(0, -1), 5e-324}},
		&inference.ShardStats{Shards: 3, Rows: 9, Data: -1.5, PhiCol: make([]float64, 1000), RowELBO: 2, LogFactorial: 4},
		&mle.Columns{Rows: 4, K: 1, Seed: 2, Scale: 0.7, H: []float64{0.25}, SumH: []float64{}},
		&mle.ShardStats{Shards: 1, SumW: []float64{1}, NumH: nil, Total: 12},
		&gathered{W: []float64{1, 2}, RowLabels: []string{"a", "", "ünïcode\tx"}, LogLik: -3},
	}
	for _, v := range values {
		b, err := marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(v).Elem())
		if err := unmarshal("test", b, got.Interface()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Interface(), v) {
			t.Fatalf("%T: round trip gives %+v, want %+v", v, got.Elem().Interface(), reflect.ValueOf(v).Elem().Interface())
		}
		// Every truncation is an error, never a panic or a short value.
		for cut := len(codecTag); cut < len(b); cut += 1 + len(b)/50 {
			if err := unmarshal("cut", b[:cut], reflect.New(reflect.TypeOf(v).Elem()).Interface()); err == nil {
				t.Fatalf("%T cut at %d of %d bytes: no error", v, cut, len(b))
			}
		}
	}
	var nan inference.ShardStats
	b, _ := marshal(&inference.ShardStats{Data: math.NaN()})
	if err := unmarshal("nan", b, &nan); err != nil || !math.IsNaN(nan.Data) {
		t.Fatalf("NaN: %v, %v", nan.Data, err)
	}
	// A length larger than the input is refused before allocating.
	bomb := append([]byte(codecTag), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	var w []float64
	if err := unmarshal("bomb", bomb, &w); err == nil || !strings.Contains(err.Error(), "length") {
		t.Fatalf("a huge length: %v", err)
	}
	if err := unmarshal("gob", []byte("\x0fsomething else"), &w); err == nil {
		t.Fatal("a file of another format was read")
	}
}
