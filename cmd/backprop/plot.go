package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// epochPoint is one epoch's metrics as plotted; NaN marks a missing value.
type epochPoint struct {
	Epoch                                int
	TrainLoss, ValLoss, TrainAcc, ValAcc float64
}

// writePlot draws loss (left) and accuracy (right) per epoch, for the
// training set and the held-out set called valName, into a PNG file at
// path.
func writePlot(path, valName string, pts []epochPoint) error {
	if len(pts) == 0 {
		return fmt.Errorf("plot %s: no epochs to plot", path)
	}
	series := func(get func(epochPoint) float64) plotter.XYs {
		var xy plotter.XYs
		for _, p := range pts {
			if v := get(p); !math.IsNaN(v) && !math.IsInf(v, 0) {
				xy = append(xy, plotter.XY{X: float64(p.Epoch), Y: v})
			}
		}
		return xy
	}
	mk := func(title, ylabel string, lines map[string]plotter.XYs, order []string, legendTop bool) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = ylabel
		p.Add(plotter.NewGrid())
		for i, name := range order {
			xy := lines[name]
			if len(xy) == 0 {
				continue
			}
			l, s, err := plotter.NewLinePoints(xy)
			if err != nil {
				return nil, err
			}
			l.Color = plotColor(i)
			s.Color = plotColor(i)
			p.Add(l, s)
			p.Legend.Add(name, l, s)
		}
		p.Legend.Top = legendTop
		return p, nil
	}
	lossPlot, err := mk("Loss", "loss", map[string]plotter.XYs{
		"train": series(func(p epochPoint) float64 { return p.TrainLoss }),
		valName: series(func(p epochPoint) float64 { return p.ValLoss }),
	}, []string{"train", valName}, true)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	accPlot, err := mk("Accuracy", "accuracy", map[string]plotter.XYs{
		"train": series(func(p epochPoint) float64 { return p.TrainAcc }),
		valName: series(func(p epochPoint) float64 { return p.ValAcc }),
	}, []string{"train", valName}, false)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	img := vgimg.New(10*vg.Inch, 4*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{lossPlot, accPlot}}, tiles, dc)
	lossPlot.Draw(canvases[0][0])
	accPlot.Draw(canvases[0][1])
	return writePNG(path, img)
}

// readMetrics reads the epochs of a metrics file written by the trainer
// (CSV with a header, or JSON lines); missing values are NaN.
func readMetrics(path string) ([]epochPoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pts []epochPoint
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if strings.HasSuffix(path, ".jsonl") {
		for _, line := range lines {
			if line == "" {
				continue
			}
			var row map[string]float64
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			get := func(k string) float64 {
				if v, ok := row[k]; ok {
					return v
				}
				return math.NaN()
			}
			pts = append(pts, epochPoint{Epoch: int(get("epoch")), TrainLoss: get("loss"), TrainAcc: get("acc"), ValLoss: get("val_loss"), ValAcc: get("val_acc")})
		}
		return pts, nil
	}
	if len(lines) < 1 {
		return nil, fmt.Errorf("%s: no header", path)
	}
	col := map[string]int{}
	for i, c := range strings.Split(lines[0], ",") {
		col[c] = i
	}
	if _, ok := col["epoch"]; !ok {
		return nil, fmt.Errorf("%s: no epoch column", path)
	}
	for _, line := range lines[1:] {
		cells := strings.Split(line, ",")
		get := func(k string) float64 {
			i, ok := col[k]
			if !ok || i >= len(cells) || cells[i] == "" {
				return math.NaN()
			}
			v, err := strconv.ParseFloat(cells[i], 64)
			if err != nil {
				return math.NaN()
			}
			return v
		}
		pts = append(pts, epochPoint{Epoch: int(get("epoch")), TrainLoss: get("loss"), TrainAcc: get("acc"), ValLoss: get("val_loss"), ValAcc: get("val_acc")})
	}
	return pts, nil
}
