package main

import (
	"fmt"
	"math"

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
