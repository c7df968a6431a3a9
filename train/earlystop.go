package train

import (
	"fmt"
	"math"
	"strings"
)

// EarlyStopping ends training when a monitored metric has stopped
// improving.
//
// After each epoch the metric is compared with the best value seen: it
// improves when it is lower by more than MinDelta (for losses) or higher
// by more than MinDelta (for accuracies, names ending in "acc"). Training
// stops once Patience consecutive epochs have brought no improvement, so
// Patience 0 stops at the first epoch that does not improve.
type EarlyStopping struct {
	// Monitor names the metric, such as "val_loss" (the default when
	// empty) or "val_acc"; see the package documentation.
	Monitor string

	// Patience is the number of epochs without improvement tolerated.
	Patience int

	// MinDelta is the least change that counts as an improvement.
	MinDelta float64
}

// monitor follows the best value of a metric.
type monitor struct {
	name     string
	maximize bool
	minDelta float64
	best     float64 // ±Inf before the first value
	wait     int     // epochs since the last improvement
}

func newMonitor(name string, minDelta float64) *monitor {
	m := &monitor{name: name, maximize: strings.HasSuffix(name, "acc"), minDelta: minDelta}
	m.reset()
	return m
}

func (m *monitor) reset() {
	m.best, m.wait = math.Inf(1), 0
	if m.maximize {
		m.best = math.Inf(-1)
	}
}

// update records the epoch's value v and reports whether it improved on
// the best. A NaN value never improves.
func (m *monitor) update(v float64) bool {
	better := v < m.best-m.minDelta
	if m.maximize {
		better = v > m.best+m.minDelta
	}
	if better {
		m.best, m.wait = v, 0
		return true
	}
	m.wait++
	return false
}

// checkMetricName reports an error for a name that is not a metric of the
// run: hasVal and k say whether validation and top-k are configured.
func checkMetricName(name string, hasVal bool, k int) error {
	base, val := strings.CutPrefix(name, "val_")
	ok := base == "loss" || base == "acc" || (k > 1 && base == topKName(k))
	if !ok {
		names := "loss, acc"
		if k > 1 {
			names += ", " + topKName(k)
		}
		return fmt.Errorf("unknown metric %q (want one of %s, optionally prefixed by val_)", name, names)
	}
	if val && !hasVal {
		return fmt.Errorf("metric %q needs a validation loader", name)
	}
	return nil
}
