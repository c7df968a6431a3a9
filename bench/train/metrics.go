package main

import "runtime/metrics"

// runStats is a snapshot of the Go runtime's cumulative counters.
type runStats struct {
	allocObjects, allocBytes, gcCycles uint64
	cpuGC, cpuTotal, cpuIdle           float64 // seconds
}

// readRunStats returns the runtime's counters now. A counter the runtime
// does not report reads as zero.
func readRunStats() runStats {
	s := []metrics.Sample{
		{Name: "/gc/heap/allocs:objects"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
	}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	f := func(i int) float64 {
		if s[i].Value.Kind() != metrics.KindFloat64 {
			return 0
		}
		return s[i].Value.Float64()
	}
	return runStats{
		allocObjects: u(0), allocBytes: u(1), gcCycles: u(2),
		cpuGC: f(3), cpuTotal: f(4), cpuIdle: f(5),
	}
}

// runDelta is what the runtime did between two snapshots.
type runDelta struct {
	AllocObjects, AllocBytes, GCCycles uint64

	// GCFraction is the share of the CPU time the process used (the
	// runtime's estimate of GOMAXPROCS × wall time less idle time) that
	// went to garbage collection, including assists.
	GCFraction float64
}

// sub returns the activity from a to r.
func (r runStats) sub(a runStats) runDelta {
	d := runDelta{
		AllocObjects: r.allocObjects - a.allocObjects,
		AllocBytes:   r.allocBytes - a.allocBytes,
		GCCycles:     r.gcCycles - a.gcCycles,
	}
	if used := (r.cpuTotal - a.cpuTotal) - (r.cpuIdle - a.cpuIdle); used > 0 {
		d.GCFraction = (r.cpuGC - a.cpuGC) / used
	}
	return d
}
