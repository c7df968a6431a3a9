package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot/vg/vgimg"

	"github.com/backprop-go/backprop/checkpoint"
)

// plotColor returns a distinguishable color for series i.
func plotColor(i int) color.Color {
	palette := []color.Color{
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
		color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	}
	return palette[i%len(palette)]
}

func writePNG(path string, img *vgimg.Canvas) error {
	err := checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	err := checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
