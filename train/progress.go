package train

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// progress writes training progress: on a terminal, a bar redrawn in place
// with carriage returns; elsewhere, a plain line every few steps. Both
// modes end each epoch with a summary line.
type progress struct {
	w        io.Writer
	terminal bool
	every    int           // log a plain line every this many steps (0: about 10 per epoch)
	interval time.Duration // least time between two redraws of the bar
	last     time.Time     // time of the last redraw
	drawn    bool          // a bar is on the current line
}

const barWidth = 24

// step reports a training step.
func (p *progress) step(m StepMetrics) {
	if p == nil || p.w == nil {
		return
	}
	if p.terminal {
		now := time.Now()
		if m.Batch < m.Batches && p.drawn && now.Sub(p.last) < p.interval {
			return
		}
		p.last = now
		p.drawn = true
		fmt.Fprintf(p.w, "\r%s\x1b[K", barLine(m))
		return
	}
	every := p.every
	if every <= 0 {
		every = max(1, m.Batches/10)
	}
	if m.Batch%every != 0 && m.Batch != m.Batches {
		return
	}
	fmt.Fprintf(p.w, "epoch %d/%d step %d/%d (total %d): loss %.4f", m.Epoch, m.Epochs, m.Batch, m.Batches, m.Step, m.EpochLoss)
	if !math.IsNaN(m.EpochAccuracy) {
		fmt.Fprintf(p.w, " acc %s", percent(m.EpochAccuracy))
	}
	fmt.Fprintf(p.w, " lr %.4g %s ETA %s\n", m.LR, rate(m.SamplesPerSec), clock(m.ETA))
}

// barLine is the terminal progress line of a step.
func barLine(m StepMetrics) string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d/%d [", m.Epoch, m.Epochs)
	done := barWidth * m.Batch / max(1, m.Batches)
	b.WriteString(strings.Repeat("=", done))
	if done < barWidth {
		b.WriteByte('>')
		b.WriteString(strings.Repeat(" ", barWidth-done-1))
	}
	fmt.Fprintf(&b, "] %d/%d loss %.4f", m.Batch, m.Batches, m.EpochLoss)
	if !math.IsNaN(m.EpochAccuracy) {
		fmt.Fprintf(&b, " acc %s", percent(m.EpochAccuracy))
	}
	fmt.Fprintf(&b, " %s ETA %s", rate(m.SamplesPerSec), clock(m.ETA))
	return b.String()
}

// epoch reports the end of an epoch.
func (p *progress) epoch(m EpochMetrics) {
	if p == nil || p.w == nil {
		return
	}
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
		p.drawn = false
	}
	io.WriteString(p.w, epochLine(m)+"\n")
}

// finish ends a bar left on the current line (by an interrupted epoch),
// so that what is written next starts on a line of its own.
func (p *progress) finish() {
	if p != nil && p.w != nil && p.drawn {
		io.WriteString(p.w, "\n")
		p.drawn = false
	}
}

// epochLine summarizes an epoch in one line.
func epochLine(m EpochMetrics) string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d/%d done (step %d): loss %.4f", m.Epoch, m.Epochs, m.Step, m.Train.Loss)
	writeAcc := func(prefix string, x Metrics) {
		if !math.IsNaN(x.Accuracy) {
			fmt.Fprintf(&b, " %sacc %s", prefix, percent(x.Accuracy))
		}
		if x.K > 1 && !math.IsNaN(x.TopK) {
			fmt.Fprintf(&b, " %stop%d %s", prefix, x.K, percent(x.TopK))
		}
	}
	writeAcc("", m.Train)
	if m.HasVal {
		fmt.Fprintf(&b, " val_loss %.4f", m.Val.Loss)
		writeAcc("val_", m.Val)
	}
	fmt.Fprintf(&b, " lr %.4g %s %s", m.LR, rate(m.Train.SamplesPerSec()), clock(m.Train.Duration+m.Val.Duration))
	return b.String()
}

// percent formats a fraction as a percentage.
func percent(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }

// rate formats a throughput.
func rate(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "- samples/s"
	}
	return fmt.Sprintf("%.0f samples/s", r)
}

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
