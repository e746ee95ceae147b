// Package notebook turns an example program into a notebook a person
// reads top to bottom: numbered steps with a sentence of why, tables and
// plots, printed to the terminal and collected in a report.md that embeds
// the plots saved as PNG beside it. gonum/plot is imported here, under
// examples/, and nowhere in the library.
package notebook

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Notebook collects an example's output.
type Notebook struct {
	dir  string
	out  io.Writer
	md   strings.Builder
	step int
	// Plots lists the PNG files written, in order.
	Plots []string
}

// New starts a notebook whose report and plots go to dir (created if
// needed) and whose text also goes to out.
func New(dir, title, intro string, out io.Writer) (*Notebook, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	nb := &Notebook{dir: dir, out: out}
	fmt.Fprintf(out, "%s\n%s\n\n%s\n", title, strings.Repeat("=", len([]rune(title))), intro)
	fmt.Fprintf(&nb.md, "# %s\n\n%s\n", title, intro)
	return nb, nil
}

// Step starts the next numbered step with a sentence saying why.
func (nb *Notebook) Step(title, why string) {
	nb.step++
	fmt.Fprintf(nb.out, "\n%d. %s\n   %s\n", nb.step, title, why)
	fmt.Fprintf(&nb.md, "\n## %d. %s\n\n%s\n", nb.step, title, why)
}

// Printf writes a paragraph of text.
func (nb *Notebook) Printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	fmt.Fprintf(nb.out, "   %s\n", strings.ReplaceAll(s, "\n", "\n   "))
	fmt.Fprintf(&nb.md, "\n%s\n", s)
}

// Table writes an aligned text table and a Markdown table.
func (nb *Notebook) Table(header []string, rows [][]string) {
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = len([]rune(h))
	}
	for _, r := range rows {
		for j, c := range r {
			width[j] = max(width[j], len([]rune(c)))
		}
	}
	line := func(cells []string) string {
		var b strings.Builder
		for j, c := range cells {
			b.WriteString(c + strings.Repeat(" ", width[j]-len([]rune(c))+2))
		}
		return strings.TrimRight(b.String(), " ")
	}
	fmt.Fprintf(nb.out, "\n   %s\n", line(header))
	for _, r := range rows {
		fmt.Fprintf(nb.out, "   %s\n", line(r))
	}
	fmt.Fprintf(&nb.md, "\n| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
	for _, r := range rows {
		esc := make([]string, len(r))
		for j, c := range r {
			esc[j] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(&nb.md, "| %s |\n", strings.Join(esc, " | "))
	}
}

// Plot saves p as name.png (16 × 10 cm) and embeds it in the report with
// a caption.
func (nb *Notebook) Plot(p *plot.Plot, name, caption string) error {
	file := name + ".png"
	if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, filepath.Join(nb.dir, file)); err != nil {
		return fmt.Errorf("notebook: saving %s: %w", file, err)
	}
	nb.Plots = append(nb.Plots, file)
	fmt.Fprintf(nb.out, "   [plot] %s: %s\n", filepath.Join(nb.dir, file), caption)
	fmt.Fprintf(&nb.md, "\n![%s](%s)\n\n*%s*\n", caption, file, caption)
	return nil
}

// Close writes report.md.
func (nb *Notebook) Close() error {
	path := filepath.Join(nb.dir, "report.md")
	if err := os.WriteFile(path, []byte(nb.md.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(nb.out, "\nreport: %s\n", path)
	return nil
}

// Series is one named line of a plot.
type Series struct {
	Name string
	XY   plotter.XYs
	// Dashed draws a thin dashed line, for a reference drawn over data.
	Dashed bool
}

// Lines returns a plot with a title, axis labels (say the units) and one
// line per series, with a legend when there are several.
func Lines(title, xLabel, yLabel string, series ...Series) (*plot.Plot, error) {
	p := newPlot()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	for j, s := range series {
		l, err := plotter.NewLine(s.XY)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(j)
		l.Width = vg.Points(2.5)
		if s.Dashed {
			l.Width = vg.Points(1)
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
		}
		p.Add(l)
		if len(series) > 1 {
			p.Legend.Add(s.Name, l)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// Scatter returns a scatter plot with a title and axis labels; diagonal
// adds the line y = x over the data's range.
func Scatter(title, xLabel, yLabel string, xy plotter.XYs, diagonal bool) (*plot.Plot, error) {
	p := newPlot()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Radius = vg.Points(1.5)
	s.GlyphStyle.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 160}
	p.Add(s)
	if diagonal {
		var lo, hi float64
		for j, v := range xy {
			if j == 0 || v.X < lo {
				lo = v.X
			}
			if v.X > hi {
				hi = v.X
			}
		}
		d, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
		if err != nil {
			return nil, err
		}
		d.Color = color.RGBA{R: 200, A: 255}
		d.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(d)
		p.Legend.Add("y = x", d)
		p.Legend.Add("points", s)
		p.Legend.Top = true
		p.Legend.Left = true
	}
	return p, nil
}

// Bars draws one group of bars per category with one bar per
// series, a legend naming the series.
func Bars(title, xLabel, yLabel string, categories, series []string, values []plotter.Values) (*plot.Plot, error) {
	p := newPlot()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	// Each category gets about 340 points of the plot's width; its bars
	// share it with one bar's worth of space between groups.
	width := vg.Points(math.Min(18, 340/float64(len(categories)*(len(values)+1))))
	for j, v := range values {
		b, err := plotter.NewBarChart(v, width)
		if err != nil {
			return nil, err
		}
		b.Color = plotutil.Color(j)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(j)-float64(len(values)-1)/2) * width
		p.Add(b)
		p.Legend.Add(series[j], b)
	}
	var top float64
	for _, v := range values {
		for _, x := range v {
			top = math.Max(top, x)
		}
	}
	p.Y.Min, p.Y.Max = 0, top*(1.15+0.08*float64(len(values))) // room for the legend above the bars
	p.X.Label.Text = xLabel
	p.Legend.Top = true
	p.NominalX(categories...)
	return p, nil
}

// newPlot returns an empty plot whose axes label their ticks with as many
// decimals as it takes to tell them apart: gonum's default labels ticks
// 0.05 apart on a narrow range of log-likelihoods as "-1.8", "-1.8".
func newPlot() *plot.Plot {
	p := plot.New()
	p.X.Tick.Marker, p.Y.Tick.Marker = distinctTicks{}, distinctTicks{}
	return p
}

// distinctTicks is plot.DefaultTicks with labels that differ.
type distinctTicks struct{}

// Ticks returns the default ticks for [min, max], their labels written
// with the fewest decimals (up to 12) that keep every label distinct.
func (distinctTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	labels := make([]string, len(ticks))
	major := 0 // the labelled ticks
	for _, t := range ticks {
		if t.Label != "" {
			major++
		}
	}
	for prec := 0; prec <= 12; prec++ {
		seen := make(map[string]bool, major)
		for j, t := range ticks {
			if t.Label != "" {
				labels[j] = strconv.FormatFloat(t.Value, 'f', prec, 64)
				seen[labels[j]] = true
			}
		}
		if len(seen) == major {
			for j := range ticks {
				ticks[j].Label = labels[j]
			}
			break
		}
	}
	return ticks
}
